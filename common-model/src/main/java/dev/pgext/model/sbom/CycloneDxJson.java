package dev.pgext.model.sbom;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.module.SimpleModule;
import org.cyclonedx.Version;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.BomReference;
import org.cyclonedx.util.introspector.VersionJsonAnnotationIntrospector;
import org.cyclonedx.util.mixin.MixInBomReference;
import org.cyclonedx.util.serializer.ComponentWrapperSerializer;
import org.cyclonedx.util.serializer.CustomSerializerModifier;
import org.cyclonedx.util.serializer.DependencySerializer;
import org.cyclonedx.util.serializer.EvidenceSerializer;
import org.cyclonedx.util.serializer.ExternalReferenceSerializer;
import org.cyclonedx.util.serializer.HashSerializer;
import org.cyclonedx.util.serializer.InputTypeSerializer;
import org.cyclonedx.util.serializer.LicenseChoiceSerializer;
import org.cyclonedx.util.serializer.LifecycleSerializer;
import org.cyclonedx.util.serializer.MetadataSerializer;
import org.cyclonedx.util.serializer.OutputTypeSerializer;
import org.cyclonedx.util.serializer.SignatorySerializer;
import org.cyclonedx.util.serializer.TrimStringSerializer;

/**
 * Writes a CycloneDX {@link Bom} as CycloneDX 1.6 JSON with the CycloneDX library's own
 * serializers, configured as its {@code BomJsonGenerator} configures them.
 * <p>
 * Not {@code BomJsonGenerator} itself: it extends the library's schema class, whose
 * bytecode refers to json-schema-validator 1.x, and the build manages 3.x (the registry
 * checks META.json with it), so loading the generator fails. The serializers, model and
 * annotations it relies on are the library's; only their wiring is repeated here.
 * <p>
 * The output is reproducible: the caller gives the timestamp, and the serial number is a
 * name-based UUID of the document written without it.
 */
public final class CycloneDxJson {

	/** The specification version written. */
	public static final Version SPEC = Version.VERSION_16;

	/** The media type of a CycloneDX JSON document. */
	public static final String MEDIA_TYPE = "application/vnd.cyclonedx+json";

	private static final ObjectWriter WRITER = writer();

	private static final Map<String, String> SPDX_IDS = spdxIds();

	private CycloneDxJson() {
	}

	/**
	 * The document's UTF-8 bytes, ending in a newline, with {@code bomFormat},
	 * {@code specVersion} and a serial number derived from the content set.
	 */
	public static byte[] write(Bom bom) {
		setField(bom, "bomFormat", "CycloneDX");
		setField(bom, "specVersion", SPEC.getVersionString());
		bom.setSerialNumber(null);
		String withoutSerial = json(bom);
		bom.setSerialNumber("urn:uuid:" + UUID.nameUUIDFromBytes(withoutSerial.getBytes(StandardCharsets.UTF_8)));
		return (json(bom) + "\n").getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * The SPDX licence identifier spelled {@code name} in any case, as the CycloneDX
	 * schema lists it; empty for anything else (an expression, a name SPDX does not
	 * know).
	 */
	public static Optional<String> spdxId(String name) {
		return Optional.ofNullable(SPDX_IDS.get(name.toLowerCase(Locale.ROOT)));
	}

	private static String json(Bom bom) {
		try {
			return WRITER.writeValueAsString(bom);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("the CycloneDX library could not write the SBOM: " + ex.getMessage(), ex);
		}
	}

	private static ObjectWriter writer() {
		ObjectMapper mapper = new ObjectMapper();
		mapper.setAnnotationIntrospector(new VersionJsonAnnotationIntrospector(SPEC));
		mapper.registerModule(new SimpleModule().addSerializer(new LicenseChoiceSerializer(false, SPEC)));
		mapper.registerModule(new SimpleModule().addSerializer(new LifecycleSerializer(false)));
		mapper.registerModule(new SimpleModule().addSerializer(new MetadataSerializer(false, SPEC)));
		mapper.registerModule(new SimpleModule().addSerializer(new InputTypeSerializer(false)));
		mapper.registerModule(new SimpleModule().addSerializer(new OutputTypeSerializer(false)));
		mapper.registerModule(new SimpleModule().addSerializer(new EvidenceSerializer(false, SPEC)));
		mapper.registerModule(new SimpleModule().addSerializer(new SignatorySerializer(false)));
		mapper.registerModule(new SimpleModule().addSerializer(new ExternalReferenceSerializer(SPEC)));
		mapper.registerModule(new SimpleModule().addSerializer(new HashSerializer(SPEC)));
		mapper.registerModule(new SimpleModule().setSerializerModifier(new CustomSerializerModifier(false, SPEC)));
		mapper.registerModule(new SimpleModule().addSerializer(new TrimStringSerializer()));
		mapper.registerModule(new SimpleModule().addSerializer(new DependencySerializer(false, null)));
		mapper.registerModule(new SimpleModule().addSerializer(new ComponentWrapperSerializer(mapper)));
		mapper.addMixIn(BomReference.class, MixInBomReference.class);
		DefaultPrettyPrinter printer = new DefaultPrettyPrinter();
		printer.indentArraysWith(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
		return mapper.writer(printer);
	}

	private static void setField(Bom bom, String name, String value) {
		try {
			Field field = Bom.class.getDeclaredField(name);
			field.setAccessible(true);
			field.set(bom, value);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("this CycloneDX library has no Bom." + name, ex);
		}
	}

	private static Map<String, String> spdxIds() {
		try (InputStream in = Bom.class.getResourceAsStream("/spdx.schema.json")) {
			Map<String, String> ids = new TreeMap<>();
			if (in != null) {
				JsonNode schema = new ObjectMapper().readTree(in);
				schema.path("enum").forEach((id) -> ids.put(id.asText().toLowerCase(Locale.ROOT), id.asText()));
			}
			return Map.copyOf(ids);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
