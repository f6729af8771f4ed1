package dev.pgext.cli.publish;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A {@code multipart/form-data} body of files, streamed from disk with its length known
 * up front (so the upload is not chunked), reporting the bytes sent.
 */
final class Multipart {

	private final String boundary;

	private final List<Part> parts = new ArrayList<>();

	private record Part(byte[] header, Path file) {
	}

	Multipart() {
		byte[] random = new byte[12];
		new SecureRandom().nextBytes(random);
		this.boundary = "pgext-" + HexFormat.of().formatHex(random);
	}

	/** Adds {@code file} as the form field {@code name}. */
	Multipart file(String name, Path file, String contentType) {
		String header = "--" + this.boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\""
				+ file.getFileName() + "\"\r\nContent-Type: " + contentType + "\r\n\r\n";
		this.parts.add(new Part(header.getBytes(StandardCharsets.UTF_8), file));
		return this;
	}

	String contentType() {
		return "multipart/form-data; boundary=" + this.boundary;
	}

	long length() {
		long length = closing().length;
		for (Part part : this.parts) {
			try {
				length += part.header.length + Files.size(part.file) + 2;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return length;
	}

	/** A new stream of the whole body; {@code sent} hears of every chunk read from it. */
	InputStream open(LongConsumer sent) {
		List<InputStream> streams = new ArrayList<>();
		for (Part part : this.parts) {
			streams.add(new ByteArrayInputStream(part.header));
			streams.add(new LazyFile(part.file));
			streams.add(new ByteArrayInputStream("\r\n".getBytes(StandardCharsets.US_ASCII)));
		}
		streams.add(new ByteArrayInputStream(closing()));
		return new Counting(new SequenceInputStream(Collections.enumeration(streams)), sent);
	}

	private byte[] closing() {
		return ("--" + this.boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
	}

	/** Opens its file on first read, so that only one file is open at a time. */
	private static final class LazyFile extends InputStream {

		private final Path file;

		private InputStream in;

		LazyFile(Path file) {
			this.file = file;
		}

		private InputStream in() throws IOException {
			if (this.in == null) {
				this.in = Files.newInputStream(this.file);
			}
			return this.in;
		}

		@Override
		public int read() throws IOException {
			return in().read();
		}

		@Override
		public int read(byte[] b, int off, int len) throws IOException {
			return in().read(b, off, len);
		}

		@Override
		public void close() throws IOException {
			if (this.in != null) {
				this.in.close();
			}
		}

	}

	private static final class Counting extends InputStream {

		private final InputStream in;

		private final LongConsumer sent;

		Counting(InputStream in, LongConsumer sent) {
			this.in = in;
			this.sent = sent;
		}

		@Override
		public int read() throws IOException {
			int b = this.in.read();
			if (b >= 0) {
				this.sent.accept(1);
			}
			return b;
		}

		@Override
		public int read(byte[] b, int off, int len) throws IOException {
			int n = this.in.read(b, off, len);
			if (n > 0) {
				this.sent.accept(n);
			}
			return n;
		}

		@Override
		public void close() throws IOException {
			this.in.close();
		}

	}

}
