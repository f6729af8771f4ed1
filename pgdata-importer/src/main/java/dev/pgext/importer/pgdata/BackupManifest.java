package dev.pgext.importer.pgdata;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.json.DocumentJson;

/**
 * The {@code backup_manifest} that {@code pg_basebackup} (PostgreSQL 13 and later) writes
 * next to the data files: every file's path, size and checksum, and a SHA-256 of the
 * manifest itself.
 */
public final class BackupManifest {

	/** Its name in the PGDATA root. */
	public static final String FILE_NAME = "backup_manifest";

	private static final String SOURCE = "backup_manifest";

	/** Reads one {@code Files} entry at a time inside the open document. */
	private static final JsonMapper JSON = DocumentJson.COMPACT.rebuild()
		.disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.build();

	/**
	 * Longest line held back while hashing; Postgres writes one line per file, of a few
	 * hundred bytes.
	 */
	private static final int MAX_LINE = 1 << 20;

	private BackupManifest() {
	}

	/**
	 * The files listed by {@code bytes}, after checking the manifest's own checksum.
	 * @throws InvalidPgdataException when the manifest is not one, or its checksum does
	 * not match
	 */
	public static List<FileCheck> parse(byte[] bytes) {
		return parse(new ByteArrayInputStream(bytes));
	}

	/**
	 * The files listed by the manifest {@code in} streams, read in one pass with a
	 * streaming parser (one file's entry at a time, never the document as a tree), after
	 * checking the manifest's own checksum, which is computed on the way.
	 * @throws InvalidPgdataException when the manifest is not one, or its checksum does
	 * not match
	 */
	public static List<FileCheck> parse(InputStream in) {
		List<FileCheck> checks = new ArrayList<>();
		parse(in, checks::add);
		return List.copyOf(checks);
	}

	/**
	 * Hands every file the manifest {@code in} streams to {@code onFile} as it is read,
	 * one at a time, and checks the manifest's own checksum at its end: a caller that
	 * keeps what it was handed must drop it when this throws.
	 * @throws InvalidPgdataException when the manifest is not one, or its checksum does
	 * not match
	 */
	public static void parse(InputStream in, Consumer<FileCheck> onFile) {
		ChecksummedInput checksummed = new ChecksummedInput(in);
		int version = 0;
		boolean files = false;
		String expected = "";
		try (JsonParser p = JSON.createParser(checksummed)) {
			if (p.nextToken() != JsonToken.START_OBJECT) {
				throw new InvalidPgdataException("backup_manifest is not a JSON object");
			}
			while (p.nextToken() == JsonToken.PROPERTY_NAME) {
				String name = p.currentName();
				JsonToken value = p.nextToken();
				switch (name) {
					case "PostgreSQL-Backup-Manifest-Version" ->
						version = (value == JsonToken.VALUE_NUMBER_INT) ? p.getIntValue() : 0;
					case "Manifest-Checksum" -> expected = (value == JsonToken.VALUE_STRING) ? p.getString() : "";
					case "Files" -> {
						if (value != JsonToken.START_ARRAY) {
							throw new InvalidPgdataException("backup_manifest has no Files array");
						}
						files = true;
						while (p.nextToken() == JsonToken.START_OBJECT) {
							onFile.accept(check(JSON.readTree(p)));
						}
					}
					default -> p.skipChildren();
				}
			}
			if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
				throw new InvalidPgdataException("backup_manifest is not valid JSON");
			}
			checksummed.transferTo(OutputStream.nullOutputStream());
		}
		catch (JacksonException ex) {
			throw new InvalidPgdataException("backup_manifest is not valid JSON: " + ex.getOriginalMessage());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		if (version != 1 && version != 2) {
			throw new InvalidPgdataException("backup_manifest has an unsupported PostgreSQL-Backup-Manifest-Version");
		}
		verifyOwnChecksum(checksummed, expected);
		if (!files) {
			throw new InvalidPgdataException("backup_manifest has no Files array");
		}
	}

	private static FileCheck check(JsonNode file) {
		String path = file.has("Path") ? file.path("Path").asString()
				: new String(HexFormat.of().parseHex(file.path("Encoded-Path").asString("")), StandardCharsets.UTF_8);
		if (!file.path("Size").isIntegralNumber()) {
			throw new InvalidPgdataException("backup_manifest lists '" + path + "' without a Size");
		}
		ChecksumAlgorithm algorithm = file.has("Checksum-Algorithm")
				? ChecksumAlgorithm.of(file.path("Checksum-Algorithm").asString(), SOURCE) : ChecksumAlgorithm.NONE;
		return new FileCheck(path, file.path("Size").asLong(), algorithm, file.path("Checksum").asString(""), SOURCE);
	}

	/**
	 * Postgres' rule: the SHA-256 covers every byte up to and including the newline
	 * before the last line (the line that carries the checksum).
	 */
	private static void verifyOwnChecksum(ChecksummedInput read, String expected) {
		if (!read.hasTwoNewlines() || expected.isEmpty()) {
			throw new InvalidPgdataException("backup_manifest has no Manifest-Checksum line");
		}
		String actual = read.hex();
		if (!actual.equalsIgnoreCase(expected)) {
			throw new InvalidPgdataException("backup_manifest fails its own checksum (Manifest-Checksum " + expected
					+ ", computed " + actual + "): the manifest is damaged");
		}
	}

	/**
	 * Passes the manifest's bytes through and hashes them up to the newline before the
	 * last line, holding back only the bytes after it (the last line or two), so the
	 * checksum is known at the end of one streaming read.
	 */
	private static final class ChecksummedInput extends FilterInputStream {

		private final MessageDigest sha = Sha256Digest.newDigest();

		/** Bytes after the second-to-last newline seen, up to and including the last. */
		private final ByteArrayOutputStream lastLine = new ByteArrayOutputStream();

		/** Bytes after the last newline seen. */
		private final ByteArrayOutputStream tail = new ByteArrayOutputStream();

		private int newlines;

		ChecksummedInput(InputStream in) {
			super(in);
		}

		@Override
		public int read() throws IOException {
			int b = super.read();
			if (b >= 0) {
				accept(new byte[] { (byte) b }, 0, 1);
			}
			return b;
		}

		@Override
		public int read(byte[] b, int off, int len) throws IOException {
			int n = super.read(b, off, len);
			if (n > 0) {
				accept(b, off, n);
			}
			return n;
		}

		@Override
		public long skip(long n) throws IOException {
			// every byte must be hashed: skipping reads
			return read(new byte[(int) Math.min(n, 8192)]);
		}

		private void accept(byte[] b, int off, int len) throws IOException {
			int from = off;
			for (int i = off; i < off + len; i++) {
				if (b[i] == '\n') {
					// the line before the last one is now known not to be the last
					this.tail.write(b, from, i + 1 - from);
					from = i + 1;
					this.sha.update(this.lastLine.toByteArray());
					this.lastLine.reset();
					this.tail.writeTo(this.lastLine);
					this.tail.reset();
					this.newlines++;
				}
			}
			this.tail.write(b, from, off + len - from);
			if (this.tail.size() + this.lastLine.size() > MAX_LINE) {
				throw new InvalidPgdataException(
						"backup_manifest has a line longer than " + MAX_LINE + " bytes: it is not a backup manifest");
			}
		}

		boolean hasTwoNewlines() {
			return this.newlines >= 2;
		}

		/**
		 * The SHA-256 up to the newline before the last line; with a last line that ends
		 * in a newline, that line is held back whole.
		 */
		String hex() {
			return HexFormat.of().formatHex(this.sha.digest());
		}

	}

}
