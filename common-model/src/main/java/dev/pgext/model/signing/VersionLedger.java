package dev.pgext.model.signing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The highest version seen of each document, so a replayed older document is refused even
 * while its signature is still valid. Kept in a directory (one small file per document,
 * replaced atomically) so a restart remembers it; without a directory it lasts as long as
 * the process.
 */
public final class VersionLedger {

	private final Path dir;

	private final Map<String, Long> seen = new HashMap<>();

	private VersionLedger(Path dir) {
		this.dir = dir;
	}

	/** A ledger kept in {@code dir}, created when missing. */
	public static VersionLedger in(Path dir) {
		try {
			Files.createDirectories(dir);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot create the version ledger " + dir, ex);
		}
		return new VersionLedger(dir);
	}

	/**
	 * A ledger kept in {@code dir}, which is created (with its missing parents) only when
	 * the first version is recorded: a command whose document is refused leaves no
	 * directory behind.
	 */
	public static VersionLedger createdOnFirstRecord(Path dir) {
		return new VersionLedger(dir);
	}

	/** A ledger that forgets at exit. */
	public static VersionLedger inMemory() {
		return new VersionLedger(null);
	}

	/** The highest version seen of {@code document}, or -1. */
	public synchronized long highest(String document) {
		Long known = this.seen.get(document);
		if (known != null) {
			return known;
		}
		long stored = -1;
		if (this.dir != null) {
			try {
				stored = Long.parseLong(Files.readString(file(document), StandardCharsets.US_ASCII).strip());
			}
			catch (NoSuchFileException ex) {
				stored = -1;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			catch (NumberFormatException ex) {
				// a torn write cannot happen (atomic rename); an edited file counts as
				// nothing seen
				stored = -1;
			}
		}
		this.seen.put(document, stored);
		return stored;
	}

	/**
	 * Accepts {@code version} of {@code document} and remembers it when higher than what
	 * was seen.
	 * @throws MetadataRejectedException ({@code rollback}) when a higher version was seen
	 * before
	 */
	public synchronized void accept(String document, long version) {
		long highest = highest(document);
		if (version < highest) {
			throw new MetadataRejectedException(MetadataRejectedException.Reason.ROLLBACK, document + " has version "
					+ version + ", lower than version " + highest + " seen before: refusing a replayed older document");
		}
		if (version > highest) {
			if (this.dir != null) {
				write(document, version);
			}
			this.seen.put(document, version);
		}
	}

	private void write(String document, long version) {
		try {
			Files.createDirectories(this.dir);
			Path temp = Files.createTempFile(this.dir, ".version", ".tmp");
			Files.writeString(temp, Long.toString(version), StandardCharsets.US_ASCII);
			try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
				channel.force(true);
			}
			Files.move(temp, file(document), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot record the version of " + document, ex);
		}
	}

	private Path file(String document) {
		return this.dir.resolve(URLEncoder.encode(document, StandardCharsets.UTF_8) + ".version");
	}

}
