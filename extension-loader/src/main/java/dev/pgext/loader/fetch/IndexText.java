package dev.pgext.loader.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.json.DocumentJson;

/**
 * One {@code ext_index.json} as read: its exact bytes, their SHA-256 and size (hashed
 * while the bytes streamed in, for the signature check), and per entry only what the
 * preload closure needs ({@code name}, {@code libraries}, {@code requires}, whether it
 * has a control file) with where its text lies. The one pass that reads the stream
 * tokenizes the document without building objects for it; an entry becomes an
 * {@link ExtIndexEntry} only when {@link #entry(String)} binds its text. So what a start
 * does before Postgres launches grows with the bytes of the index only (transfer, hash,
 * tokenizer), not with binding thousands of records.
 */
public final class IndexText {

	private static final Logger log = LoggerFactory.getLogger(IndexText.class);

	private static final JsonMapper TOKENS = DocumentJson.COMPACT;

	/**
	 * The most bytes a document may have unless the caller says otherwise: the default of
	 * {@code pgext.loader.index-max-size}.
	 */
	public static final long DEFAULT_MAX_SIZE = 128L * 1024 * 1024;

	private final byte[] content;

	private final int size;

	private final Sha256Digest sha256;

	private final PgMajor pgMajor;

	private final TenantId tenant;

	private final Map<String, EntrySkim> entries;

	private IndexText(byte[] content, int size, Sha256Digest sha256, PgMajor pgMajor, TenantId tenant,
			Map<String, EntrySkim> entries) {
		this.content = content;
		this.size = size;
		this.sha256 = sha256;
		this.pgMajor = pgMajor;
		this.tenant = tenant;
		this.entries = entries;
	}

	/**
	 * What the preload closure needs of one entry, and where its text is.
	 *
	 * @param name the extension
	 * @param libraries the libraries it provides, bare names
	 * @param requires the extensions it requires
	 * @param hasControl whether it has a control file (library-only modules have none)
	 * @param offset where its JSON object starts in the document
	 * @param length how many bytes it takes
	 */
	public record EntrySkim(String name, List<String> libraries, List<String> requires, boolean hasControl, int offset,
			int length) {

		/** Whether it provides libraries and no extension. */
		public boolean libraryOnly() {
			return !this.hasControl && !this.libraries.isEmpty();
		}

	}

	/**
	 * Told of each entry as soon as the tokenizer has passed its end, while the rest of
	 * the document still streams in and before its signature is checked: what it learns
	 * may start work that names nothing (such as fetching content into staged files), but
	 * nothing it sees is trusted yet.
	 */
	@FunctionalInterface
	public interface EntryListener {

		/** Hears of nothing. */
		EntryListener NONE = (skim, text) -> {
		};

		/**
		 * Entry {@code skim} has been read; {@code text} binds it (only during this
		 * call).
		 */
		void skimmed(EntrySkim skim, Supplier<ExtIndexEntry> text);

	}

	/**
	 * Reads {@code in} to its end in one pass, hashing and keeping its bytes while the
	 * tokenizer skims each entry.
	 * @param expectedSize the length the source announced, or -1: the buffer's first size
	 * @throws IllegalArgumentException when the bytes are not a valid index, with the
	 * reason
	 * @throws UncheckedIOException when reading the stream fails
	 */
	public static IndexText read(InputStream in, long expectedSize) {
		return read(in, expectedSize, EntryListener.NONE);
	}

	/**
	 * As {@link #read(InputStream, long)}, telling {@code early} of each entry as it is
	 * read; a listener that fails is ignored.
	 */
	public static IndexText read(InputStream in, long expectedSize, EntryListener early) {
		return read(in, expectedSize, early, DEFAULT_MAX_SIZE);
	}

	/**
	 * As {@link #read(InputStream, long, EntryListener)}, refusing a document of more
	 * than {@code maxSize} bytes as soon as its announced size or the bytes read pass it:
	 * an endless or huge body is never held whole.
	 * @throws IllegalArgumentException when the document is larger than {@code maxSize}
	 */
	public static IndexText read(InputStream in, long expectedSize, EntryListener early, long maxSize) {
		if (expectedSize > maxSize) {
			throw new IllegalArgumentException(tooLarge(expectedSize + " bytes", maxSize));
		}
		Capture captured = new Capture(in, expectedSize, maxSize);
		PgMajor major = null;
		TenantId tenant = null;
		Integer format = null;
		Map<String, EntrySkim> entries = new LinkedHashMap<>();
		try (JsonParser parser = TOKENS.createParser(captured)) {
			expect(parser.nextToken(), JsonToken.START_OBJECT, "an object");
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String field = parser.currentName();
				JsonToken value = parser.nextToken();
				switch (field) {
					case "format" -> format = parser.getValueAsInt(-1);
					case "pg_major" -> major = PgMajor.of(parser.getValueAsInt(-1));
					case "tenant" -> tenant = (value == JsonToken.VALUE_NULL) ? null : TenantId.of(parser.getString());
					case "extensions" -> {
						if (value != JsonToken.VALUE_NULL) {
							expect(value, JsonToken.START_ARRAY, "an array of extensions");
							while (parser.nextToken() == JsonToken.START_OBJECT) {
								EntrySkim entry = skim(parser);
								if (entries.putIfAbsent(entry.name(), entry) != null) {
									throw new IllegalArgumentException(
											"ext_index.json names extension " + entry.name() + " twice");
								}
								tell(early, entry, captured);
							}
							expect(parser.currentToken(), JsonToken.END_ARRAY, "the end of the extensions");
						}
					}
					default -> parser.skipChildren();
				}
			}
			expect(parser.currentToken(), JsonToken.END_OBJECT, "the end of the index");
			captured.drain();
		}
		catch (JacksonException ex) {
			if (captured.tooLarge) {
				throw new IllegalArgumentException(tooLarge("more", maxSize), ex);
			}
			if (ex instanceof JacksonIOException && ex.getCause() instanceof IOException io) {
				// the stream failed (cut off, timed out), not the document
				throw new UncheckedIOException(io);
			}
			throw new IllegalArgumentException("invalid ext_index.json: " + ex.getOriginalMessage(), ex);
		}
		catch (TooLargeException ex) {
			throw new IllegalArgumentException(ex.getMessage(), ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (UncheckedIOException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			if (captured.tooLarge) {
				throw new IllegalArgumentException(tooLarge("more", maxSize), ex);
			}
			if (ex.getCause() instanceof IOException io) {
				throw new UncheckedIOException(io);
			}
			throw (ex instanceof IllegalArgumentException) ? ex
					: new IllegalArgumentException("invalid ext_index.json: " + ex.getMessage(), ex);
		}
		if (format == null || format != ExtIndex.FORMAT) {
			throw new IllegalArgumentException(
					"ext_index.json format " + format + " is not supported (expected " + ExtIndex.FORMAT + ")");
		}
		if (major == null) {
			throw new IllegalArgumentException("ext_index.json has no pg_major");
		}
		return new IndexText(captured.buffer, captured.length, captured.sha256(), major, tenant, entries);
	}

	private static String tooLarge(String size, long maxSize) {
		return "ext_index.json has " + size + " than the " + maxSize
				+ " bytes a document may have (pgext.loader.index-max-size)";
	}

	/** The document passed the most bytes it may have. */
	private static final class TooLargeException extends IOException {

		TooLargeException(String message) {
			super(message);
		}

	}

	/** Reads a whole document held in memory. */
	public static IndexText read(byte[] json) {
		return read(new java.io.ByteArrayInputStream(json), json.length);
	}

	private static void tell(EntryListener early, EntrySkim entry, Capture captured) {
		if (early == EntryListener.NONE) {
			return;
		}
		try {
			early.skimmed(entry, () -> ExtIndexJson.readEntry(captured.buffer, entry.offset(), entry.length()));
		}
		catch (RuntimeException ex) {
			// only an early start of work; the verified document decides
			log.debug("Listener of entry {} failed: {}", entry.name(), ex.getMessage());
		}
	}

	private static EntrySkim skim(JsonParser parser) {
		int start = (int) parser.currentTokenLocation().getByteOffset();
		String name = null;
		List<String> libraries = List.of();
		List<String> requires = List.of();
		boolean control = false;
		while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
			String field = parser.currentName();
			JsonToken value = parser.nextToken();
			switch (field) {
				case "name" -> name = parser.getValueAsString();
				case "libraries" -> libraries = strings(parser, value);
				case "requires" -> requires = strings(parser, value);
				case "control" -> control = value != JsonToken.VALUE_NULL;
				default -> parser.skipChildren();
			}
		}
		expect(parser.currentToken(), JsonToken.END_OBJECT, "the end of an extension");
		int end = (int) parser.currentLocation().getByteOffset();
		if (name == null) {
			throw new IllegalArgumentException("ext_index.json has an extension without a name");
		}
		return new EntrySkim(name, libraries, requires, control, start, end - start);
	}

	private static List<String> strings(JsonParser parser, JsonToken value) {
		if (value == JsonToken.VALUE_NULL) {
			return List.of();
		}
		expect(value, JsonToken.START_ARRAY, "an array of names");
		List<String> values = new ArrayList<>(2);
		while (parser.nextToken() == JsonToken.VALUE_STRING) {
			values.add(parser.getString());
		}
		expect(parser.currentToken(), JsonToken.END_ARRAY, "the end of an array of names");
		return List.copyOf(values);
	}

	private static void expect(JsonToken actual, JsonToken expected, String what) {
		if (actual != expected) {
			throw new IllegalArgumentException("invalid ext_index.json: expected " + what + ", found " + actual);
		}
	}

	public PgMajor pgMajor() {
		return this.pgMajor;
	}

	public TenantId tenant() {
		return this.tenant;
	}

	/** The SHA-256 of the exact bytes read. */
	public Sha256Digest sha256() {
		return this.sha256;
	}

	/** How many bytes were read. */
	public long size() {
		return this.size;
	}

	/** Every entry's skim, in document order. */
	public Map<String, EntrySkim> skims() {
		return java.util.Collections.unmodifiableMap(this.entries);
	}

	/**
	 * Binds the entry named {@code name} from its text.
	 * @throws IllegalArgumentException when there is none or its text is not a valid
	 * entry
	 */
	public ExtIndexEntry entry(String name) {
		EntrySkim skim = this.entries.get(name);
		if (skim == null) {
			throw new IllegalArgumentException("ext_index.json has no extension " + name);
		}
		ExtIndexEntry entry = ExtIndexJson.readEntry(this.content, skim.offset(), skim.length());
		if (!entry.name().value().equals(name)) {
			throw new IllegalArgumentException("ext_index.json entry " + name + " reads as " + entry.name());
		}
		return entry;
	}

	/**
	 * Whether entry {@code skim} of this document has the same bytes as entry
	 * {@code otherSkim} of {@code other}.
	 */
	boolean sameText(EntrySkim skim, IndexText other, EntrySkim otherSkim) {
		return Arrays.equals(this.content, skim.offset(), skim.offset() + skim.length(), other.content,
				otherSkim.offset(), otherSkim.offset() + otherSkim.length());
	}

	/**
	 * The whole document bound at once: faster than entry by entry when all are needed.
	 */
	public ExtIndex parse() {
		return ExtIndexJson.read(new java.io.ByteArrayInputStream(this.content, 0, this.size));
	}

	/** The bytes read, for tests. */
	byte[] content() {
		return Arrays.copyOf(this.content, this.size);
	}

	/**
	 * The stream the tokenizer reads: every byte it hands on is hashed and kept, so the
	 * document is read once.
	 */
	private static final class Capture extends InputStream {

		private final InputStream in;

		private final MessageDigest digest = Sha256Digest.newDigest();

		private byte[] buffer;

		private int length;

		private final long maxSize;

		/** Set once more than {@code maxSize} bytes arrived. */
		boolean tooLarge;

		Capture(InputStream in, long expectedSize, long maxSize) {
			this.in = in;
			this.maxSize = Math.min(maxSize, Integer.MAX_VALUE - 16);
			this.buffer = new byte[(int) Math.min(this.maxSize + 1,
					Math.max(8192, (expectedSize >= 0) ? expectedSize + 1 : 64 * 1024))];
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			int n = read(one, 0, 1);
			return (n < 0) ? -1 : (one[0] & 0xff);
		}

		@Override
		public int read(byte[] target, int offset, int max) throws IOException {
			int n = this.in.read(target, offset, max);
			if (n > 0) {
				if ((long) this.length + n > this.maxSize) {
					this.tooLarge = true;
					throw new TooLargeException(tooLarge("more", this.maxSize));
				}
				if (this.length + n > this.buffer.length) {
					long grown = Math.min(this.maxSize,
							Math.max((long) this.buffer.length * 2, (long) this.length + n));
					this.buffer = Arrays.copyOf(this.buffer, (int) grown);
				}
				System.arraycopy(target, offset, this.buffer, this.length, n);
				this.digest.update(target, offset, n);
				this.length += n;
			}
			return n;
		}

		/**
		 * Reads what the tokenizer left after the document (whitespace), so it is hashed.
		 */
		void drain() throws IOException {
			byte[] rest = new byte[8192];
			while (read(rest, 0, rest.length) >= 0) {
				// hashed and kept by read
			}
		}

		Sha256Digest sha256() {
			return Sha256Digest.fromDigest(this.digest);
		}

	}

}
