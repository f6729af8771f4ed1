package dev.pgext.model.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 keys in the PEM forms {@code openssl genpkey -algorithm ed25519} and
 * {@code openssl pkey -pubout} use: a private key as PKCS#8 ({@code PRIVATE KEY}), a
 * public key as X.509 SubjectPublicKeyInfo ({@code PUBLIC KEY}).
 */
public final class KeyPem {

	/** The algorithm of every key and signature. */
	public static final String ALGORITHM = "Ed25519";

	private static final Pattern BLOCK = Pattern
		.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

	private KeyPem() {
	}

	/**
	 * The key id of a public key: the first 16 hex digits of the sha256 of its DER
	 * encoding, so the same key has the same id wherever it is configured.
	 */
	public static String keyId(PublicKey key) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
			return HexFormat.of().formatHex(digest).substring(0, 16);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The public key in {@code pem}.
	 * @throws IllegalArgumentException when it holds no Ed25519 {@code PUBLIC KEY} block
	 */
	public static PublicKey readPublic(String pem) {
		byte[] der = block(pem, "PUBLIC KEY");
		try {
			return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalArgumentException("not an Ed25519 public key: " + ex.getMessage(), ex);
		}
	}

	/**
	 * The private key in {@code pem}.
	 * @throws IllegalArgumentException when it holds no Ed25519 {@code PRIVATE KEY} block
	 */
	public static PrivateKey readPrivate(String pem) {
		byte[] der = block(pem, "PRIVATE KEY");
		try {
			return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalArgumentException("not an Ed25519 private key: " + ex.getMessage(), ex);
		}
	}

	public static String publicPem(PublicKey key) {
		return pem("PUBLIC KEY", key.getEncoded());
	}

	public static String privatePem(PrivateKey key) {
		return pem("PRIVATE KEY", key.getEncoded());
	}

	static String read(Path file) {
		try {
			return Files.readString(file, StandardCharsets.US_ASCII);
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("cannot read key file " + file + ": " + ex.getMessage(), ex);
		}
	}

	private static String pem(String type, byte[] der) {
		return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(der)
				+ "\n-----END " + type + "-----\n";
	}

	private static byte[] block(String pem, String type) {
		Matcher matcher = BLOCK.matcher(pem);
		while (matcher.find()) {
			if (matcher.group(1).equals(type)) {
				try {
					return Base64.getMimeDecoder().decode(matcher.group(2).strip());
				}
				catch (IllegalArgumentException ex) {
					throw new IllegalArgumentException("the " + type + " block is not valid base64", ex);
				}
			}
		}
		throw new IllegalArgumentException("no -----BEGIN " + type + "----- block");
	}

}
