package dev.pgext.registry.publish;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.apache.commons.io.input.BoundedInputStream;

import org.springframework.http.HttpStatus;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.elf.ElfFile;
import dev.pgext.registry.RegistryProperties;
import dev.pgext.registry.problem.RegistryException;

/**
 * Extracts an uploaded {@code .tar.gz} or {@code .tar.zst} artifact into a directory,
 * refusing anything that is not a plain file or directory inside {@code share/} and
 * {@code lib/}, any path S3 could not store, any setuid, setgid or sticky bit, and any
 * {@code lib/*.so} that is not an ELF shared object. Limits (entries, sizes, ratio) are
 * enforced while streaming, entry by entry, so an archive bomb or an archive of countless
 * entries is stopped after a bounded amount of work and memory rather than after it has
 * filled the disk. Modes in the archive are not kept: the loader places files 0644 and
 * libraries 0755.
 */
final class ArtifactReader {

	/** setuid, setgid and sticky bits of a tar mode. */
	private static final int SPECIAL_MODE_BITS = 07000;

	private static final byte[] GZIP_MAGIC = { 0x1f, (byte) 0x8b };

	private static final byte[] ZSTD_MAGIC = { 0x28, (byte) 0xb5, 0x2f, (byte) 0xfd };

	private final RegistryProperties.Publish limits;

	ArtifactReader(RegistryProperties.Publish limits) {
		this.limits = limits;
	}

	/**
	 * Extracts {@code upload} (named {@code label} in problems) into {@code target}.
	 * @return the files by installation path, in archive order
	 */
	Map<String, ArtifactFile> read(String label, InputStream upload, Path target) {
		BoundedInputStream counted;
		try {
			counted = BoundedInputStream.builder().setInputStream(upload).get();
		}
		catch (IOException ex) {
			throw RegistryException.badRequest("invalid-archive", label + ": cannot be read");
		}
		int maxEntries = this.limits.maxEntries();
		try (TarArchiveInputStream tar = new TarArchiveInputStream(decompress(label, counted),
				StandardCharsets.UTF_8.name())) {
			Map<String, ArtifactFile> files = new LinkedHashMap<>();
			// one buffer per artifact, and no file for an empty entry: an archive of many
			// tiny entries costs as little as possible up to the entry limit
			byte[] buffer = new byte[64 * 1024];
			ArtifactFile empty = null;
			long total = 0;
			int entries = 0;
			TarArchiveEntry entry;
			while ((entry = tar.getNextEntry()) != null) {
				if (++entries > maxEntries) {
					throw RegistryException.unprocessable("too-many-entries", label + ": more than " + maxEntries
							+ " archive entries (the limit); refused before " + "reading further");
				}
				String path = normalize(entry.getName());
				if (path.isEmpty()) {
					continue;
				}
				checkType(label, entry, path);
				if ((entry.getMode() & SPECIAL_MODE_BITS) != 0) {
					throw RegistryException.unprocessable("unsafe-mode",
							label + ": entry '" + path + "' has mode " + String.format("%04o", entry.getMode() & 07777)
									+ "; setuid, setgid and sticky bits are refused");
				}
				if (entry.isDirectory()) {
					checkDirectory(label, path);
					continue;
				}
				String problem = StoreLayout.installPathProblem(path);
				if (problem != null) {
					throw RegistryException.unprocessable("unsafe-path", label + ": entry '" + path + "': " + problem);
				}
				if (entry.getSize() > this.limits.maxFileSize().toBytes()) {
					throw new RegistryException(HttpStatus.CONTENT_TOO_LARGE, "file-too-large",
							label + ": '" + path + "' is " + entry.getSize() + " bytes; the limit is "
									+ this.limits.maxFileSize().toBytes());
				}
				if (files.containsKey(path)) {
					throw RegistryException.unprocessable("duplicate-path", label + ": '" + path + "' appears twice");
				}
				if (entry.getSize() == 0 && !path.endsWith(".so")) {
					if (empty == null) {
						Path content = Files.createFile(target.resolve("empty"));
						empty = new ArtifactFile(path, content, Sha256Digest.of(new byte[0]), 0);
					}
					files.put(path, new ArtifactFile(path, empty.content(), empty.sha256(), 0));
					continue;
				}
				Path content = target.resolve(Integer.toString(entries));
				MessageDigest digest = Sha256Digest.newDigest();
				long size = copy(label, path, tar, content, digest, total, counted, buffer);
				total += size;
				if (path.startsWith("lib/") && path.endsWith(".so")) {
					checkSharedObject(label, path, content);
				}
				files.put(path, new ArtifactFile(path, content, Sha256Digest.fromDigest(digest), size));
			}
			return files;
		}
		catch (EOFException ex) {
			throw RegistryException.badRequest("invalid-archive",
					label + ": not a readable tar archive (it ends early: truncated or cut off in transfer)");
		}
		catch (IOException | IllegalArgumentException ex) {
			// commons-compress reports malformed headers with either
			throw RegistryException.badRequest("invalid-archive",
					label + ": not a readable tar archive (" + reason(ex) + ")");
		}
	}

	private static String reason(Exception ex) {
		String message = ex.getMessage();
		if (message == null || message.isBlank()) {
			return "corrupt data: " + ex.getClass().getSimpleName();
		}
		// the decompressors' messages may carry bytes of the upload
		return message.replaceAll("\\p{Cntrl}", "?");
	}

	/**
	 * A {@code lib/*.so} must be what Postgres can {@code dlopen}: an ELF shared object
	 * ({@code ET_DYN}), read with the same reader the bundle build uses.
	 */
	private static void checkSharedObject(String label, String path, Path content) {
		try {
			ElfFile elf = ElfFile.read(content);
			if (elf.type() != ElfFile.ET_DYN) {
				throw RegistryException.unprocessable("not-a-shared-library", label + ": '" + path
						+ "' is an ELF file of type " + elf.type() + ", not a shared object (type 3)");
			}
		}
		catch (IOException ex) {
			throw RegistryException.unprocessable("not-a-shared-library", label + ": '" + path
					+ "' is not an ELF shared object: " + ex.getMessage().replace(content.toString() + ": ", ""));
		}
	}

	private InputStream decompress(String label, InputStream raw) throws IOException {
		BufferedInputStream in = new BufferedInputStream(raw);
		in.mark(4);
		byte[] magic = in.readNBytes(4);
		in.reset();
		if (startsWith(magic, GZIP_MAGIC)) {
			return new GzipCompressorInputStream(in, true);
		}
		if (startsWith(magic, ZSTD_MAGIC)) {
			return new ZstdCompressorInputStream(in);
		}
		throw RegistryException.unprocessable("unsupported-archive",
				label + ": an artifact must be a .tar.gz or .tar.zst file");
	}

	private static boolean startsWith(byte[] bytes, byte[] prefix) {
		if (bytes.length < prefix.length) {
			return false;
		}
		for (int i = 0; i < prefix.length; i++) {
			if (bytes[i] != prefix[i]) {
				return false;
			}
		}
		return true;
	}

	private static String normalize(String name) {
		String path = name;
		while (path.startsWith("./")) {
			path = path.substring(2);
		}
		if (path.equals(".")) {
			return "";
		}
		return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
	}

	private static void checkType(String label, TarArchiveEntry entry, String path) {
		String kind = null;
		if (entry.isSymbolicLink()) {
			kind = "a symbolic link";
		}
		else if (entry.isLink()) {
			kind = "a hard link";
		}
		else if (entry.isCharacterDevice() || entry.isBlockDevice()) {
			kind = "a device";
		}
		else if (entry.isFIFO()) {
			kind = "a named pipe";
		}
		else if (!entry.isFile() && !entry.isDirectory()) {
			kind = "not a regular file";
		}
		if (kind != null) {
			throw RegistryException.unprocessable("unsafe-archive-entry", label + ": entry '" + path + "' is " + kind
					+ "; artifacts hold only regular files and directories");
		}
	}

	private static void checkDirectory(String label, String path) {
		if (path.equals("share") || path.equals("lib")) {
			return;
		}
		String problem = StoreLayout.installPathProblem(path);
		if (problem != null) {
			throw RegistryException.unprocessable("unsafe-path", label + ": entry '" + path + "': " + problem);
		}
	}

	private long copy(String label, String path, InputStream in, Path content, MessageDigest digest, long totalBefore,
			BoundedInputStream compressed, byte[] buffer) throws IOException {
		long maxFile = this.limits.maxFileSize().toBytes();
		long maxTotal = this.limits.maxTotalSize().toBytes();
		long threshold = this.limits.ratioCheckThreshold().toBytes();
		long size = 0;
		try (OutputStream out = Files.newOutputStream(content)) {
			int n;
			while ((n = in.read(buffer)) > 0) {
				size += n;
				long total = totalBefore + size;
				if (size > maxFile) {
					throw new RegistryException(HttpStatus.CONTENT_TOO_LARGE, "file-too-large",
							label + ": '" + path + "' is larger than the limit of " + maxFile + " bytes");
				}
				if (total > maxTotal) {
					throw new RegistryException(HttpStatus.CONTENT_TOO_LARGE, "artifact-too-large",
							label + ": the files add up to more than the limit of " + maxTotal + " bytes");
				}
				if (total > threshold
						&& total > (long) this.limits.maxCompressionRatio() * Math.max(1, compressed.getCount())) {
					throw RegistryException.unprocessable("archive-bomb",
							label + ": expands more than " + this.limits.maxCompressionRatio()
									+ " times its compressed size; refused as an archive bomb");
				}
				digest.update(buffer, 0, n);
				out.write(buffer, 0, n);
			}
		}
		return size;
	}

}
