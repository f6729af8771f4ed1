package dev.pgext.model.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a data directory's lock file, {@value #NAME}, says about its postmaster: the
 * process id on its first line, the data directory on its second and, from the eighth on,
 * the postmaster's status, which it rewrites as it starts, accepts connections and stops
 * (what {@code pg_ctl -w} waits for).
 *
 * @param pid the postmaster's process id, running or gone
 * @param dataDirectory the data directory the file names, as written; empty when that
 * line is not there
 * @param status the postmaster's status ({@code starting}, {@code ready},
 * {@code standby}, {@code stopping}); empty while that line is not written yet
 */
public record PostmasterLockFile(long pid, String dataDirectory, String status) {

	/** The lock file's name in a data directory. */
	public static final String NAME = "postmaster.pid";

	/** The statuses of a postmaster that accepts connections. */
	private static final Set<String> ACCEPTING = Set.of("ready", "standby");

	/**
	 * The lock file of {@code dataDirectory}; empty when there is none or its first line
	 * is no process id (not written yet).
	 * @throws IOException when it is there but cannot be read
	 */
	public static Optional<PostmasterLockFile> read(Path dataDirectory) throws IOException {
		List<String> lines;
		try {
			lines = Files.readAllLines(dataDirectory.resolve(NAME), StandardCharsets.UTF_8);
		}
		catch (NoSuchFileException ex) {
			return Optional.empty();
		}
		if (lines.isEmpty()) {
			return Optional.empty();
		}
		long pid;
		try {
			pid = Long.parseLong(lines.get(0).strip());
		}
		catch (NumberFormatException ex) {
			return Optional.empty();
		}
		return Optional.of(new PostmasterLockFile(pid, (lines.size() > 1) ? lines.get(1).strip() : "",
				(lines.size() > 7) ? lines.get(7).strip() : ""));
	}

	/**
	 * Whether the postmaster says it accepts connections ({@code standby}: a hot
	 * standby's read-only ones).
	 */
	public boolean accepting() {
		return ACCEPTING.contains(this.status);
	}

}
