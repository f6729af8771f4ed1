package dev.pgext.bundle.fetch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

import tools.jackson.core.JacksonException;

import dev.pgext.bundle.archive.BundleJson;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;

/**
 * A pin file: the one bundle a storage node runs, and the majors it relies on. Changing
 * it is a reviewed change on the storage side.
 *
 * @param sha256 the bundle's digest
 * @param pgVersions the PG majors the bundle must hold, such as {@code ["15", "17"]}
 */
public record Pin(Sha256Digest sha256, List<String> pgVersions) {

	public Pin {
		if (sha256 == null) {
			throw new IllegalArgumentException("the pin names no sha256");
		}
		if (pgVersions == null || pgVersions.isEmpty()) {
			throw new IllegalArgumentException("the pin names no pg_versions");
		}
		TreeSet<String> majors = new TreeSet<>();
		for (String version : pgVersions) {
			majors.add(PgMajor.parse(version).toString());
		}
		pgVersions = List.copyOf(majors);
	}

	/** Reads a pin file such as {@code {"sha256":"<hex>","pg_versions":["15","17"]}}. */
	public static Pin read(Path file) throws IOException {
		try {
			return BundleJson.mapper().readValue(Files.readAllBytes(file), Pin.class);
		}
		catch (JacksonException ex) {
			throw new IOException("invalid pin file " + file + ": " + ex.getOriginalMessage(), ex);
		}
	}

}
