package dev.pgext.loader.hook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Assumptions;

import dev.pgext.testsupport.OutsideTools;

/**
 * Builds the {@code pgext_loader} hook ({@code extension-loader/pg-hook}) for one
 * Postgres major with the compiler alone, against that major's server headers: no
 * {@code pg_config} and no installed server package are needed. The flags are those PGXS
 * uses for a shared library.
 * <p>
 * The headers come from {@code <pgext.test.pg-headers-dir>/<major>/} (the layout of
 * Debian's {@code postgresql-server-dev-<major>} unpacked with {@code dpkg-deb -x}, which
 * {@code pg-hook/fetch-pg-headers} does and {@code .ci/run} calls), else from an
 * installed {@code /usr/include/postgresql/<major>/server}. Without them the tests that
 * need the hook are skipped with the reason ({@link HookMajor}), except under CI, where
 * that is a failure.
 */
public final class PgHookBuild {

	/** The directory of fetched header trees, one per major. */
	static final String HEADERS_PROPERTY = "pgext.test.pg-headers-dir";

	static final String HEADERS_ENV = "PGEXT_PG_HEADERS_DIR";

	private static final Path SOURCE = Path.of("pg-hook", "pgext_loader.c");

	private static final List<String> CFLAGS = List.of("-O2", "-fPIC", "-shared", "-D_GNU_SOURCE", "-Wall",
			"-Wmissing-prototypes", "-Wpointer-arith", "-Wdeclaration-after-statement", "-Werror=vla",
			"-Werror=implicit-function-declaration", "-Wendif-labels", "-Wmissing-format-attribute",
			"-Wimplicit-fallthrough=3", "-Wcast-function-type", "-Wformat-security", "-fno-strict-aliasing", "-fwrapv",
			"-fexcess-precision=standard");

	private static final Map<Integer, Path> built = new ConcurrentHashMap<>();

	private PgHookBuild() {
	}

	/**
	 * The hook built for {@code major}, or the test is skipped (failed under CI) without
	 * its headers.
	 */
	public static Path library(int major) {
		return built.computeIfAbsent(major, PgHookBuild::build);
	}

	/** The {@code server} include directory of {@code major}, when one is there. */
	static Optional<Path> serverHeaders(int major) {
		List<Path> candidates = new ArrayList<>();
		String dir = System.getProperty(HEADERS_PROPERTY, System.getenv(HEADERS_ENV));
		if (dir != null && !dir.isBlank()) {
			candidates.add(
					Path.of(dir, Integer.toString(major), "usr/include/postgresql", Integer.toString(major), "server"));
		}
		candidates.add(Path.of("/usr/include/postgresql", Integer.toString(major), "server"));
		return candidates.stream().filter((c) -> Files.isRegularFile(c.resolve("postgres.h"))).findFirst();
	}

	/**
	 * Why the hook cannot be built for {@code major} here, or empty when it can; under CI
	 * a missing major is a failure instead.
	 */
	static Optional<String> missingHeaders(int major) {
		if (serverHeaders(major).isPresent()) {
			return Optional.empty();
		}
		String reason = "PostgreSQL " + major + " server headers are missing (neither under " + HEADERS_PROPERTY + "="
				+ System.getProperty(HEADERS_PROPERTY, System.getenv(HEADERS_ENV))
				+ " nor in /usr/include/postgresql): run extension-loader/pg-hook/fetch-pg-headers target/pg-headers "
				+ major + " (.ci/run does) to build the pgext_loader hook";
		OutsideTools.failUnderCi(reason);
		return Optional.of(reason);
	}

	private static Path build(int major) {
		Optional<String> missing = missingHeaders(major);
		if (missing.isPresent()) {
			Assumptions.abort(missing.get());
		}
		Path headers = serverHeaders(major).orElseThrow();
		try {
			Path dir = Path.of("target", "pg-hook", Integer.toString(major)).toAbsolutePath();
			Files.createDirectories(dir);
			Path library = dir.resolve("pgext_loader.so");
			// built aside and renamed over the name: another test JVM of the build may be
			// placing the library it built there a moment earlier
			Path part = Files.createTempFile(dir, "pgext_loader.", ".so.part");
			try {
				List<String> command = new ArrayList<>(List.of("cc"));
				command.addAll(CFLAGS);
				command.addAll(List.of("-I" + headers, "-o", part.toString(), SOURCE.toAbsolutePath().toString()));
				Process cc = new ProcessBuilder(command).redirectErrorStream(true).start();
				String output = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
				if (cc.waitFor() != 0) {
					throw new IllegalStateException("building the pgext_loader hook for PostgreSQL " + major
							+ " failed:\n" + String.join(" ", command) + "\n" + output);
				}
				Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rwxr-xr-x"));
				Files.move(part, library, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			}
			finally {
				Files.deleteIfExists(part);
			}
			return library;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
