package dev.pgext.registry.pgxn;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.core.io.InputStreamResource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.registry.problem.RegistryException;

/**
 * The PGXN API root at {@code /pgxn}: point a PGXN client at it with
 * {@code --mirror <registry>/pgxn}. Public releases only, readable without a token.
 */
// The PGXN API is specified by PGXN itself (its routes, such as /pgxn/search/{in}/, keep
// PGXN's
// shape, trailing slash included), so it is left out of this service's OpenAPI document.
@Hidden
@RestController
@Tag(name = "PGXN", description = "The PGXN API: what PGXN clients read")
class PgxnController {

	private static final Set<String> SEARCH_IN = Set.of("docs", "dists", "extensions", "users", "tags");

	private static final int MAX_LIMIT = 1024;

	private final PgxnDocuments documents;

	private final ObjectStore store;

	PgxnController(PgxnDocuments documents, ObjectStore store) {
		this.documents = documents;
		this.store = store;
	}

	@Operation(summary = "The PGXN API index: URI templates relative to /pgxn")
	@GetMapping(path = "/pgxn/index.json", produces = MediaType.APPLICATION_JSON_VALUE)
	Object index() {
		return PgxnDocuments.index(true);
	}

	@Operation(summary = "A distribution's releases by status (PGXN 'dist' template)")
	@GetMapping(path = "/pgxn/dist/{dist}.json")
	ResponseEntity<byte[]> distribution(@PathVariable String dist) {
		return json(this.documents.distribution(dist), "distribution " + dist);
	}

	@Operation(summary = "A release's META.json with sha1, user, date and release_status ('meta'), its README "
			+ "('readme'), its META.json as published (META.published.json) or its source distribution zip "
			+ "('download')")
	@GetMapping(path = "/pgxn/dist/{dist}/{version}/{file}")
	ResponseEntity<?> releaseFile(@PathVariable String dist, @PathVariable String version, @PathVariable String file) {
		String release = "release " + dist + " " + version;
		return switch (file) {
			case "META.json" -> json(this.documents.meta(dist, version), release);
			case "META.published.json" -> ResponseEntity.ok()
				.contentType(MediaType.APPLICATION_JSON)
				.body(this.documents.publishedMeta(dist, version)
					.orElseThrow(() -> RegistryException.notFound("no " + release))
					.getBytes(StandardCharsets.UTF_8));
			case "README.txt" -> ResponseEntity.ok()
				.contentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8))
				.body(this.documents.readme(dist, version)
					.orElseThrow(() -> RegistryException.notFound("no " + release)));
			default -> {
				if (!file.equals(dist + "-" + version + ".zip")) {
					throw RegistryException.notFound("no file " + file + " in " + release);
				}
				yield archive(dist, version);
			}
		};
	}

	private ResponseEntity<InputStreamResource> archive(String dist, String version) {
		Sha256Digest digest = this.documents.source(dist, version)
			.orElseThrow(() -> RegistryException
				.notFound("release " + dist + " " + version + " was published without a source distribution"));
		InputStream content = this.store.get(StoreLayout.blob(digest))
			.orElseThrow(() -> RegistryException
				.notFound("the source distribution of " + dist + " " + version + " is not in the store"));
		return ResponseEntity.ok()
			.contentType(MediaType.parseMediaType("application/zip"))
			.cacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable())
			.body(new InputStreamResource(content));
	}

	@Operation(summary = "The releases providing an extension (PGXN 'extension' template)")
	@GetMapping(path = "/pgxn/extension/{extension}.json")
	ResponseEntity<byte[]> extension(@PathVariable String extension) {
		return json(this.documents.extension(extension), "extension " + extension);
	}

	@Operation(summary = "A user's distributions (PGXN 'user' template)")
	@GetMapping(path = "/pgxn/user/{user}.json")
	ResponseEntity<byte[]> user(@PathVariable String user) {
		return json(this.documents.user(user), "user " + user + " with a public release");
	}

	@Operation(summary = "The distributions carrying a tag (PGXN 'tag' template)")
	@GetMapping(path = "/pgxn/tag/{tag}.json")
	ResponseEntity<byte[]> tag(@PathVariable String tag) {
		return json(this.documents.tag(tag), "tag " + tag);
	}

	@Operation(summary = "Statistics: summary, dist, extension, user or tag (PGXN 'stats' template)")
	@GetMapping(path = "/pgxn/stats/{stats}.json")
	ResponseEntity<byte[]> stats(@PathVariable String stats) {
		return json(this.documents.stats(stats), "statistics " + stats + " (summary, dist, extension, user, tag)");
	}

	@Operation(summary = "The PGXN mirrors of this registry (PGXN 'mirrors' template)")
	@GetMapping(path = "/pgxn/meta/mirrors.json")
	ResponseEntity<byte[]> mirrors() {
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(this.documents.mirrors());
	}

	@Operation(summary = "The META.json specification this registry validates against: json (the JSON Schemas "
			+ "of versions 1 and 2) or txt")
	@GetMapping(path = "/pgxn/meta/spec.{format}")
	ResponseEntity<byte[]> spec(@PathVariable String format) {
		return switch (format) {
			case "txt" -> ResponseEntity.ok()
				.contentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8))
				.body(PgxnDocuments.SPEC_TEXT.getBytes(StandardCharsets.UTF_8));
			default -> throw RegistryException.notFound("no specification in format " + format + "; try txt");
		};
	}

	@Operation(summary = "Full-text search in docs, dists, extensions, users or tags (PGXN 'search' template)")
	@GetMapping(path = { "/pgxn/search/{in}", "/pgxn/search/{in}/" })
	ResponseEntity<byte[]> search(@PathVariable String in, @RequestParam String q,
			@RequestParam(defaultValue = "50") int limit, @RequestParam(defaultValue = "0") int offset) {
		if (!SEARCH_IN.contains(in)) {
			throw RegistryException
				.notFound("no search in '" + in + "'; search in docs, dists, extensions, users " + "or tags");
		}
		if (q.isBlank() || limit < 1 || limit > MAX_LIMIT || offset < 0) {
			throw RegistryException.badRequest("invalid-argument",
					"q must not be blank, limit must be 1 to " + MAX_LIMIT + ", offset at least 0");
		}
		return ResponseEntity.ok()
			.contentType(MediaType.APPLICATION_JSON)
			.body(this.documents.search(in, q, limit, offset));
	}

	private static ResponseEntity<byte[]> json(Optional<byte[]> document, String what) {
		return ResponseEntity.ok()
			.contentType(MediaType.APPLICATION_JSON)
			.body(document.orElseThrow(() -> RegistryException.notFound("no " + what)));
	}

}
