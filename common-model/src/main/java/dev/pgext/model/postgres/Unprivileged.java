package dev.pgext.model.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Postgres refuses to run as root. When this JVM is root, {@link #command(List)} runs a
 * program inside a new user namespace ({@code unshare --user}) where its uid is the
 * overflow uid, not 0: the server starts, and files it creates still belong to the real
 * owner on disk, so the data directory's ownership check passes without any
 * {@code chown}.
 */
public final class Unprivileged {

	private static final boolean ROOT = readEffectiveUid() == 0;

	private Unprivileged() {
	}

	/** Whether this process runs with effective uid 0. */
	public static boolean isRoot() {
		return ROOT;
	}

	/**
	 * {@code command}, wrapped so that it does not run as uid 0 when this JVM is root.
	 */
	public static List<String> command(List<String> command) {
		if (!ROOT) {
			return List.copyOf(command);
		}
		List<String> wrapped = new ArrayList<>(command.size() + 3);
		wrapped.add(unshare());
		wrapped.add("--user");
		wrapped.add("--");
		wrapped.addAll(command);
		return wrapped;
	}

	/**
	 * A {@link ProcessBuilder} for {@code command}, wrapped as {@link #command(List)}
	 * says.
	 */
	public static ProcessBuilder processBuilder(List<String> command) {
		return new ProcessBuilder(command(command));
	}

	private static String unshare() {
		for (String candidate : List.of("/usr/bin/unshare", "/bin/unshare")) {
			if (Files.isExecutable(Path.of(candidate))) {
				return candidate;
			}
		}
		throw new IllegalStateException("running as root, and unshare (util-linux) is missing: Postgres cannot be "
				+ "started as root; install util-linux or run as an unprivileged user");
	}

	private static long readEffectiveUid() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
				if (line.startsWith("Uid:")) {
					// Uid: real effective saved fs
					return Long.parseLong(line.split("\\s+")[2]);
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// not Linux: fall through
		}
		return "root".equals(System.getProperty("user.name")) ? 0 : -1;
	}

}
