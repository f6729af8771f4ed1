package dev.pgext.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A SHA-256 digest, held as 64 lower-case hex digits.
 *
 * @param hex the digest in lower-case hex
 */
public record Sha256Digest(@JsonValue String hex) {

	private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

	public Sha256Digest {
		if (hex == null || !HEX.matcher(hex).matches()) {
			throw new InvalidValueException("'" + hex + "' is not a sha256 digest (64 lower-case hex digits)");
		}
	}

	/** Parses {@code <hex>} or {@code sha256:<hex>}, in either case. */
	@JsonCreator
	public static Sha256Digest parse(String text) {
		if (text == null) {
			throw new InvalidValueException("sha256 digest is missing");
		}
		String t = text.strip().toLowerCase(java.util.Locale.ROOT);
		if (t.startsWith("sha256:")) {
			t = t.substring("sha256:".length());
		}
		return new Sha256Digest(t);
	}

	public static Sha256Digest of(byte[] content) {
		return new Sha256Digest(HexFormat.of().formatHex(newDigest().digest(content)));
	}

	public static Sha256Digest of(Path file) throws IOException {
		try (InputStream in = Files.newInputStream(file)) {
			return of(in);
		}
	}

	public static Sha256Digest of(InputStream in) throws IOException {
		MessageDigest md = newDigest();
		byte[] buffer = new byte[64 * 1024];
		int n;
		while ((n = in.read(buffer)) > 0) {
			md.update(buffer, 0, n);
		}
		return fromDigest(md);
	}

	/**
	 * The digest a {@link MessageDigest} from {@link #newDigest()} has computed so far.
	 */
	public static Sha256Digest fromDigest(MessageDigest md) {
		return new Sha256Digest(HexFormat.of().formatHex(md.digest()));
	}

	public static MessageDigest newDigest() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every Java runtime has SHA-256", ex);
		}
	}

	/** The {@code sha256:<hex>} form used in manifests and HTTP headers. */
	public String prefixed() {
		return "sha256:" + this.hex;
	}

	@Override
	public String toString() {
		return this.hex;
	}

}
