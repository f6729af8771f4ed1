package dev.pgext.importer.plan;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.function.Consumer;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.importer.pgdata.FileCheck;
import dev.pgext.importer.pgdata.InvalidPgdataException;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.json.DocumentJson;

/**
 * The frozen listing of an import's input: every later read must match it, so an input
 * that changes during the import fails the import instead of mixing two versions.
 * <p>
 * It lives in a local file, in the same canonical JSON that is stored in the storage
 * bucket ({@code {"format":1,"files":[{"path","size","etag"},…],"checks":[…]}}, files in
 * path order), and is written and read as a stream: the listing's pages go to the file as
 * they arrive, and {@link #files()} and {@link #checks()} walk the file again for every
 * pass. What stays in memory is the digest and the count, never the listing or the
 * upload's own file list.
 */
public final class Manifest {

	/**
	 * The format this importer writes and reads; the first, unchanged since manifests
	 * were held in memory.
	 */
	public static final int FORMAT = 1;

	/**
	 * Reads and writes one element at a time inside the open document, flushing only at
	 * its end.
	 */
	private static final JsonMapper JSON = DocumentJson.COMPACT.rebuild()
		.disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
		.disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE)
		.build();

	private final Path file;

	private final Sha256Digest digest;

	private final long count;

	private final boolean hasChecks;

	private Manifest(Path file, Sha256Digest digest, long count, boolean hasChecks) {
		this.file = file;
		this.digest = digest;
		this.count = count;
		this.hasChecks = hasChecks;
	}

	/** Starts writing a manifest to {@code file}, files in path order. */
	public static Writer writer(Path file) {
		return new Writer(file);
	}

	/**
	 * Writes {@code files} (any order) and no checks; for small listings built in memory.
	 */
	public static Manifest write(Path file, List<ManifestEntry> files) {
		Writer writer = writer(file);
		files.stream().sorted((a, b) -> a.path().compareTo(b.path())).forEach(writer::add);
		return writer.finish();
	}

	/**
	 * Reads a stored manifest from {@code file} in one streaming pass: checks its format
	 * and order, counts its files, notes whether it has checks and computes the digest of
	 * its bytes.
	 * @throws IllegalArgumentException when the file is not a manifest of a known format
	 */
	public static Manifest read(Path file) {
		MessageDigest sha = Sha256Digest.newDigest();
		long[] count = new long[1];
		boolean[] hasChecks = new boolean[1];
		try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
			parse(in, (entry) -> count[0]++, (check) -> {
			}, () -> hasChecks[0] = true);
			in.transferTo(OutputStream.nullOutputStream());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return new Manifest(file, Sha256Digest.fromDigest(sha), count[0], hasChecks[0]);
	}

	/** The files, walked from the file on every call; never held. */
	public Listing files() {
		return (action) -> {
			try (InputStream in = Files.newInputStream(this.file)) {
				parse(in, action, null, null);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		};
	}

	/**
	 * What the files must be according to the upload's own file list, walked from the
	 * file on every call (in the order they were frozen), or null when it has none.
	 */
	public Checks checks() {
		if (!this.hasChecks) {
			return null;
		}
		return (action) -> {
			try (InputStream in = Files.newInputStream(this.file)) {
				parse(in, (entry) -> {
				}, action, null);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		};
	}

	/** SHA-256 of the canonical bytes: equal listings have equal digests. */
	public Sha256Digest digest() {
		return this.digest;
	}

	/** How many files are listed. */
	public long count() {
		return this.count;
	}

	/** The local file holding the canonical bytes. */
	public Path file() {
		return this.file;
	}

	private static void parse(InputStream in, Consumer<ManifestEntry> onFile, Consumer<FileCheck> onCheck,
			Runnable hasChecks) {
		try (JsonParser p = JSON.createParser(in)) {
			expect(p, p.nextToken(), JsonToken.START_OBJECT);
			String previous = null;
			JsonToken token;
			while ((token = p.nextToken()) == JsonToken.PROPERTY_NAME) {
				String name = p.currentName();
				JsonToken value = p.nextToken();
				switch (name) {
					case "format" -> {
						if (value != JsonToken.VALUE_NUMBER_INT || p.getIntValue() != FORMAT) {
							throw new IllegalArgumentException("manifest format " + p.getString()
									+ " is not the format " + FORMAT + " this importer reads");
						}
					}
					case "files" -> {
						expect(p, value, JsonToken.START_ARRAY);
						while (p.nextToken() == JsonToken.START_OBJECT) {
							ManifestEntry entry = JSON.readValue(p, ManifestEntry.class);
							if (previous != null && previous.compareTo(entry.path()) >= 0) {
								throw new IllegalArgumentException(
										"manifest is not in path order at '" + entry.path() + "'");
							}
							previous = entry.path();
							onFile.accept(entry);
						}
					}
					case "checks" -> {
						if (hasChecks != null && value != JsonToken.VALUE_NULL) {
							hasChecks.run();
						}
						if (onCheck == null || value == JsonToken.VALUE_NULL) {
							p.skipChildren();
						}
						else {
							expect(p, value, JsonToken.START_ARRAY);
							while (p.nextToken() == JsonToken.START_OBJECT) {
								onCheck.accept(JSON.readValue(p, FileCheck.class));
							}
						}
					}
					default -> throw new IllegalArgumentException("manifest has an unknown property '" + name + "'");
				}
			}
			expect(p, token, JsonToken.END_OBJECT);
			if (p.nextToken() != null) {
				throw new IllegalArgumentException("manifest has more after its end");
			}
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("manifest is not valid JSON: " + ex.getOriginalMessage(), ex);
		}
	}

	private static void expect(JsonParser p, JsonToken actual, JsonToken expected) {
		if (actual != expected) {
			throw new IllegalArgumentException(
					"manifest has " + actual + " where " + expected + " belongs at " + p.currentLocation());
		}
	}

	/**
	 * Streams a listing into a manifest file, computing its digest on the way. Files must
	 * come in strictly increasing path order (the order S3 lists keys in, for the ASCII
	 * paths a PGDATA has); the upload's checks, known only once the listing has been
	 * read, go last.
	 */
	public static final class Writer {

		private final Path file;

		private final MessageDigest sha = Sha256Digest.newDigest();

		private final JsonGenerator generator;

		private String previous;

		private long count;

		private Writer(Path file) {
			this.file = file;
			try {
				Files.createDirectories(file.toAbsolutePath().getParent());
				OutputStream out = new DigestOutputStream(
						new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16), this.sha);
				this.generator = JSON.createGenerator(out);
				this.generator.writeStartObject();
				this.generator.writeNumberProperty("format", FORMAT);
				this.generator.writeName("files");
				this.generator.writeStartArray();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		/**
		 * Appends one file.
		 * @throws InvalidPgdataException when it does not come after the previous one in
		 * path order
		 */
		public void add(ManifestEntry entry) {
			if (this.previous != null && this.previous.compareTo(entry.path()) >= 0) {
				close();
				throw new InvalidPgdataException("'" + entry.path() + "' was listed after '" + this.previous
						+ "': a path with characters a PGDATA never has");
			}
			this.previous = entry.path();
			this.count++;
			JSON.writeValue(this.generator, entry);
		}

		/** How many files were added so far. */
		public long count() {
			return this.count;
		}

		/** Ends the listing without checks (the upload has no file list). */
		public Manifest finish() {
			return finish((Checks) null);
		}

		/**
		 * Ends the listing with {@code checks} (null when the upload has no file list)
		 * and closes the file.
		 */
		public Manifest finish(List<FileCheck> checks) {
			return finish((checks != null) ? checks::forEach : null);
		}

		/**
		 * Ends the listing with the checks {@code checks} yields, written as they come
		 * (null when the upload has no file list), and closes the file.
		 */
		public Manifest finish(Checks checks) {
			this.generator.writeEndArray();
			if (checks != null) {
				this.generator.writeName("checks");
				this.generator.writeStartArray();
				checks.forEach((check) -> JSON.writeValue(this.generator, check));
				this.generator.writeEndArray();
			}
			this.generator.writeEndObject();
			this.generator.close();
			return new Manifest(this.file, Sha256Digest.fromDigest(this.sha), this.count, checks != null);
		}

		/** Abandons the file (on an error). */
		public void close() {
			try {
				this.generator.close();
				Files.deleteIfExists(this.file);
			}
			catch (IOException | JacksonException ex) {
				// nothing useful to do: the work directory is cleaned at the end of the
				// run
			}
		}

	}

	/**
	 * The upload's own file list, walked one check at a time.
	 */
	@FunctionalInterface
	public interface Checks {

		/** Calls {@code action} for every check. */
		void forEach(Consumer<FileCheck> action);

	}

}
