package dev.pgext.registry.events;

import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;

/**
 * {@code GET /api/v1/feeds/releases.atom}: the newest public releases as an Atom feed,
 * read from the outbox.
 */
@Tag(name = "events")
@RestController
class FeedController {

	private static final String ATOM = "http://www.w3.org/2005/Atom";

	private static final MediaType ATOM_XML = MediaType.parseMediaType("application/atom+xml;charset=UTF-8");

	private final Events events;

	FeedController(Events events) {
		this.events = events;
	}

	@Operation(summary = "Atom feed of the 50 newest public releases")
	@ApiResponse(responseCode = "200", description = "An Atom feed",
			content = @Content(mediaType = "application/atom+xml", schema = @Schema(type = "string")))
	@GetMapping("/api/v1/feeds/releases.atom")
	ResponseEntity<String> releases() throws XMLStreamException {
		List<Events.Recorded> releases = this.events.recentPublic(EventTypes.RELEASE_PUBLISHED, 50);
		StringWriter out = new StringWriter();
		XMLStreamWriter xml = XMLOutputFactory.newInstance().createXMLStreamWriter(out);
		xml.writeStartDocument("UTF-8", "1.0");
		xml.writeStartElement("feed");
		xml.writeDefaultNamespace(ATOM);
		element(xml, "id", "urn:pgext:feeds:releases");
		element(xml, "title", "pgext registry: new releases");
		element(xml, "updated", releases.isEmpty() ? Instant.EPOCH.toString() : releases.get(0).at().toString());
		link(xml, "self", "/api/v1/feeds/releases.atom");
		for (Events.Recorded release : releases) {
			String distribution = release.data().path("distribution").asString();
			String version = release.data().path("version").asString();
			xml.writeStartElement("entry");
			element(xml, "id", "urn:pgext:event:" + release.id());
			element(xml, "title", distribution + " " + version);
			element(xml, "updated", release.at().toString());
			xml.writeStartElement("author");
			element(xml, "name", release.data().path("published_by").asString());
			xml.writeEndElement();
			link(xml, "alternate", "/api/v1/distributions/" + UriUtils.encodePathSegment(distribution, "UTF-8")
					+ "/versions/" + UriUtils.encodePathSegment(version, "UTF-8"));
			String summary = release.data().path("abstract").asString("");
			if (!summary.isEmpty()) {
				element(xml, "summary", summary);
			}
			xml.writeEndElement();
		}
		xml.writeEndElement();
		xml.writeEndDocument();
		xml.close();
		return ResponseEntity.ok().contentType(ATOM_XML).body(out.toString());
	}

	private static void element(XMLStreamWriter xml, String name, String text) throws XMLStreamException {
		xml.writeStartElement(name);
		xml.writeCharacters(text);
		xml.writeEndElement();
	}

	private static void link(XMLStreamWriter xml, String rel, String href) throws XMLStreamException {
		xml.writeEmptyElement("link");
		xml.writeAttribute("rel", rel);
		xml.writeAttribute("href", href);
	}

}
