package dev.pgext.model.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;

/**
 * The key the registry signs with, and the public half consumers trust.
 *
 * @param keyId the id of {@code publicKey} ({@link KeyPem#keyId(PublicKey)})
 * @param privateKey the Ed25519 private key
 * @param publicKey its public key
 */
public record SigningKey(String keyId, PrivateKey privateKey, PublicKey publicKey) {

	/** A new random key. */
	public static SigningKey generate() {
		try {
			KeyPair pair = KeyPairGenerator.getInstance(KeyPem.ALGORITHM).generateKeyPair();
			return new SigningKey(KeyPem.keyId(pair.getPublic()), pair.getPrivate(), pair.getPublic());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("the JDK offers no Ed25519", ex);
		}
	}

	/**
	 * The key in a PKCS#8 PEM file, such as {@code openssl genpkey -algorithm ed25519}
	 * writes (or a mounted Kubernetes Secret). Its public key is derived from it.
	 * @throws IllegalArgumentException when the file is missing or holds no Ed25519
	 * private key
	 */
	public static SigningKey load(Path file) {
		PrivateKey key;
		try {
			key = KeyPem.readPrivate(KeyPem.read(file));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("signing key " + file + ": " + ex.getMessage(), ex);
		}
		PublicKey publicKey = derivePublic(key);
		return new SigningKey(KeyPem.keyId(publicKey), key, publicKey);
	}

	/**
	 * Writes the private key to {@code file} (owner-readable only) and the public key to
	 * {@code file}{@code .pub}, each by an atomic rename.
	 */
	public void write(Path file) throws IOException {
		Path parent = file.toAbsolutePath().getParent();
		Files.createDirectories(parent);
		Path temp = Files.createTempFile(parent, ".key", ".tmp",
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		Files.writeString(temp, KeyPem.privatePem(this.privateKey), StandardCharsets.US_ASCII);
		Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		Path pub = file.resolveSibling(file.getFileName() + ".pub");
		Path tempPub = Files.createTempFile(parent, ".pub", ".tmp");
		Files.writeString(tempPub, publicPem(), StandardCharsets.US_ASCII);
		Files.move(tempPub, pub, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
	}

	/**
	 * The public key as a PEM {@code PUBLIC KEY} block, what a consumer is configured
	 * with.
	 */
	public String publicPem() {
		return KeyPem.publicPem(this.publicKey);
	}

	@Override
	public String toString() {
		return "SigningKey[" + this.keyId + "]";
	}

	/**
	 * The JDK computes an Ed25519 public key only while generating a pair; generating one
	 * from the private key's own 32 seed bytes (RFC 8032 5.1.5) yields its public key.
	 */
	private static PublicKey derivePublic(PrivateKey key) {
		if (!(key instanceof EdECPrivateKey edKey) || edKey.getBytes().isEmpty()) {
			throw new IllegalArgumentException("not an Ed25519 private key");
		}
		byte[] seed = edKey.getBytes().get();
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance(KeyPem.ALGORITHM);
			generator.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
				@Override
				public void nextBytes(byte[] bytes) {
					System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
				}
			});
			return generator.generateKeyPair().getPublic();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("the JDK offers no Ed25519", ex);
		}
	}

}
