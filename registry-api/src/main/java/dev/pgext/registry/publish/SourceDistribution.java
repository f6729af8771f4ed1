package dev.pgext.registry.publish;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.json.DocumentJson;
import dev.pgext.registry.RegistryProperties;
import dev.pgext.registry.problem.RegistryException;

/**
 * A release's PGXN source distribution: the zip PGXN clients download, every entry under
 * one top directory {@code <name>-<version>/} holding the distribution's
 * {@code META.json}. It is copied to a file while its SHA-256 (the blob's name) and SHA-1
 * (what PGXN clients verify a download with) are computed, then checked from the zip's
 * central directory: entry count and sizes within the publish limits, no absolute or
 * {@code ..} path, and a {@code META.json} naming the same distribution and version as
 * the upload's metadata. Its top-level README, if any, is read as the release's
 * ({@link ReleaseReadme}).
 *
 * @param file the zip, in the publish's temporary directory
 * @param sha256 its SHA-256
 * @param sha1 its SHA-1, hex
 * @param size its size in bytes
 * @param readme its top-level README, or {@code null} when it has none (or none that
 * could be kept)
 */
record SourceDistribution(Path file, Sha256Digest sha256, String sha1, long size, String readme) {

	static final String PART = "source";

	private static final JsonMapper JSON = DocumentJson.COMPACT;

	/**
	 * Copies and checks the uploaded zip; {@code notes} receives why a README it carries
	 * was not kept.
	 */
	static SourceDistribution read(InputStream upload, Path target, ReleaseMetadata metadata,
			RegistryProperties.Publish limits, List<String> notes) throws IOException {
		MessageDigest sha256 = digest("SHA-256");
		MessageDigest sha1 = digest("SHA-1");
		long size = 0;
		long max = limits.maxTotalSize().toBytes();
		try (InputStream in = new DigestInputStream(new DigestInputStream(upload, sha256), sha1);
				OutputStream out = Files.newOutputStream(target)) {
			byte[] buffer = new byte[64 * 1024];
			for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
				size += n;
				if (size > max) {
					throw refused("is larger than " + max + " bytes (the limit)");
				}
				out.write(buffer, 0, n);
			}
		}
		String readme = check(target, metadata, limits, notes);
		return new SourceDistribution(target, new Sha256Digest(HexFormat.of().formatHex(sha256.digest())),
				HexFormat.of().formatHex(sha1.digest()), size, readme);
	}

	/** Checks the zip and answers its README, or {@code null}. */
	private static String check(Path zip, ReleaseMetadata metadata, RegistryProperties.Publish limits,
			List<String> notes) throws IOException {
		String top = null;
		ZipArchiveEntry meta = null;
		int entries = 0;
		long total = 0;
		try (ZipFile file = ZipFile.builder().setPath(zip).get()) {
			for (Enumeration<ZipArchiveEntry> all = file.getEntries(); all.hasMoreElements();) {
				ZipArchiveEntry entry = all.nextElement();
				String name = entry.getName();
				if (++entries > limits.maxEntries()) {
					throw refused("has more than " + limits.maxEntries() + " entries (the limit)");
				}
				if (name.startsWith("/") || name.contains("\\") || ("/" + name + "/").contains("/../")
						|| name.chars().anyMatch(Character::isISOControl)) {
					throw refused("entry '" + printable(name) + "' is not a relative path inside the archive");
				}
				int slash = name.indexOf('/');
				String first = (slash < 0) ? name : name.substring(0, slash);
				if (slash < 0 && !entry.isDirectory()) {
					throw refused("entry '" + printable(name) + "' is not inside the top directory");
				}
				if (top == null) {
					top = first;
				}
				else if (!top.equals(first)) {
					throw refused("has entries under '" + printable(top) + "/' and '" + printable(first)
							+ "/'; a source distribution has one top directory");
				}
				if (entry.getSize() > limits.maxFileSize().toBytes()) {
					throw refused("entry '" + printable(name) + "' is larger than " + limits.maxFileSize().toBytes()
							+ " bytes (the limit)");
				}
				total += Math.max(entry.getSize(), 0);
				if (total > limits.maxTotalSize().toBytes()) {
					throw refused("unpacks to more than " + limits.maxTotalSize().toBytes() + " bytes (the limit)");
				}
				if (name.equals(first + "/META.json")) {
					meta = entry;
				}
			}
			if (top == null) {
				throw refused("is empty");
			}
			String expected = metadata.name() + "-" + metadata.version();
			String asWritten = (metadata.versionAsWritten() != null)
					? metadata.name() + "-" + metadata.versionAsWritten() : expected;
			if (!top.equals(expected) && !top.equals(asWritten)) {
				throw refused("has its files under '" + printable(top) + "/'; expected '" + asWritten + "/'");
			}
			if (meta == null) {
				throw refused("has no " + top + "/META.json");
			}
			JsonNode json;
			try (InputStream in = file.getInputStream(meta)) {
				byte[] bytes = in.readNBytes((int) limits.maxMetadataSize().toBytes() + 1);
				if (bytes.length > limits.maxMetadataSize().toBytes()) {
					throw refused(top + "/META.json is larger than the metadata limit");
				}
				json = JSON.readTree(bytes);
			}
			catch (JacksonException ex) {
				throw refused(top + "/META.json is not JSON: " + ex.getOriginalMessage());
			}
			String name = json.path("name").asString("");
			String version = json.path("version").asString("");
			boolean sameVersion = version.equals(metadata.version()) || version.equals(metadata.versionAsWritten());
			if (!name.equals(metadata.name()) || !sameVersion) {
				throw refused(top + "/META.json describes '" + printable(name) + "' " + printable(version) + ", not "
						+ metadata.name() + " " + metadata.version());
			}
			return ReleaseReadme.fromSource(file, top, notes).orElse(null);
		}
		catch (IOException ex) {
			throw refused("is not a readable zip archive: " + ex.getMessage());
		}
	}

	private static RegistryException refused(String reason) {
		return RegistryException.unprocessable("invalid-source",
				"part '" + PART + "' (the source distribution) " + reason);
	}

	private static String printable(String text) {
		String shown = text.replaceAll("[\\p{Cntrl}\\p{Cs}]", "?");
		return (shown.length() > 80) ? shown.substring(0, 80) + "..." : shown;
	}

	private static MessageDigest digest(String algorithm) {
		try {
			return MessageDigest.getInstance(algorithm);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(algorithm + " is part of every Java runtime", ex);
		}
	}

}
