package dev.pgext.cli.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.cli.exit.CliException;
import dev.pgext.model.json.DocumentJson;

/**
 * The credentials file: a token per registry URL and the registry used when none is
 * named. It is written through a temporary file created with mode 0600 and renamed over
 * the old one, so the token is never readable by others, not even for a moment, and a
 * crash leaves either the old or the new file.
 *
 * @param defaultRegistry the registry of the last {@code pgext login}
 * @param registries what is stored per registry URL
 */
public record Credentials(@JsonProperty("default") String defaultRegistry, Map<String, Login> registries) {

	private static final JsonMapper JSON = DocumentJson.COMPACT;

	public Credentials {
		registries = (registries != null) ? new TreeMap<>(registries) : new TreeMap<>();
	}

	/**
	 * What {@code pgext login} stored for one registry.
	 *
	 * @param token the bearer token
	 * @param user the user the registry said it belongs to
	 */
	public record Login(String token, String user) {
	}

	/** The credentials in {@code file}; none when it does not exist. */
	public static Credentials read(Path file) {
		if (!Files.exists(file)) {
			return new Credentials(null, Map.of());
		}
		try {
			return JSON.readValue(Files.readAllBytes(file), Credentials.class);
		}
		catch (IOException | JacksonException ex) {
			throw CliException.local("cannot read the credentials file " + file + ": " + CliException.describe(ex));
		}
	}

	public Optional<Login> loginFor(String registry) {
		return Optional.ofNullable(this.registries.get(registry));
	}

	/**
	 * These credentials with {@code login} stored for {@code registry}, which becomes the
	 * default.
	 */
	public Credentials with(String registry, Login login) {
		Map<String, Login> updated = new TreeMap<>(this.registries);
		updated.put(registry, login);
		return new Credentials(registry, updated);
	}

	/**
	 * Writes these credentials to {@code file} with mode 0600 (its directory 0700 when
	 * created).
	 */
	public void write(Path file) {
		try {
			Path dir = file.toAbsolutePath().getParent();
			if (!Files.isDirectory(dir)) {
				Files.createDirectories(dir,
						PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
			}
			Path part = Files.createTempFile(dir, "." + file.getFileName(), ".part",
					PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
			try {
				Files.write(part, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
				Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			}
			finally {
				Files.deleteIfExists(part);
			}
		}
		catch (IOException | JacksonException ex) {
			throw CliException.local("cannot write the credentials file " + file + ": " + CliException.describe(ex));
		}
	}

}
