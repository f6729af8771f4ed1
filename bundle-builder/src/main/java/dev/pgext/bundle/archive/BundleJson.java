package dev.pgext.bundle.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.model.json.DocumentJson;

/**
 * Reads and writes {@code bundle.json} and the other small JSON documents of the bundle
 * tools. Output is deterministic (record component order, sorted maps), so two builds of
 * the same inputs write the same bytes.
 */
public final class BundleJson {

	private static final JsonMapper MAPPER = DocumentJson.COMPACT.rebuild()
		.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
		.enable(SerializationFeature.INDENT_OUTPUT)
		.build();

	private BundleJson() {
	}

	/** The mapper every bundle document goes through (snake_case names). */
	public static JsonMapper mapper() {
		return MAPPER;
	}

	public static byte[] write(Object document) {
		return MAPPER.writeValueAsBytes(document);
	}

	/**
	 * Reads a manifest, or fails with the reason when the file is missing or not a
	 * manifest.
	 */
	public static BundleManifest readManifest(Path file) throws IOException {
		if (!Files.isRegularFile(file)) {
			throw new BundleFormatException("the bundle has no " + BundleManifest.PATH);
		}
		try (InputStream in = Files.newInputStream(file)) {
			return readManifest(in);
		}
	}

	/** Reads a manifest from a stream, which stays open. */
	public static BundleManifest readManifest(InputStream in) throws IOException {
		try {
			BundleManifest manifest = MAPPER.readValue(new java.io.FilterInputStream(in) {
				@Override
				public void close() {
					// the caller owns the stream
				}
			}, BundleManifest.class);
			if (manifest.format() != BundleManifest.FORMAT) {
				throw new BundleFormatException(BundleManifest.PATH + " has format " + manifest.format()
						+ ", this builder reads format " + BundleManifest.FORMAT);
			}
			if (manifest.files().isEmpty() || manifest.postgres().isEmpty()) {
				throw new BundleFormatException(BundleManifest.PATH + " lists no files or no Postgres majors");
			}
			return manifest;
		}
		catch (JacksonException ex) {
			throw new BundleFormatException("invalid " + BundleManifest.PATH + ": " + ex.getOriginalMessage());
		}
	}

}
