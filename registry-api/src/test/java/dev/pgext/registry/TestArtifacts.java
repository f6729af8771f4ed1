package dev.pgext.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/**
 * Hand-made artifacts for the cases real contrib extensions cannot show: bad control
 * files, unsafe entries, bombs.
 */
public final class TestArtifacts {

	private final List<TarArchiveEntry> entries = new ArrayList<>();

	private final List<byte[]> contents = new ArrayList<>();

	static TestArtifacts builder() {
		return new TestArtifacts();
	}

	/**
	 * A {@code .tar.gz} of {@code count} empty files under {@code share/many/}, written
	 * as it streams: an archive with more entries than the registry allows.
	 */
	public static byte[] manyEmptyFiles(int count) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
			for (int i = 0; i < count; i++) {
				TarArchiveEntry entry = new TarArchiveEntry("share/many/f" + i);
				entry.setSize(0);
				tar.putArchiveEntry(entry);
				tar.closeArchiveEntry();
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	/** A pure-SQL extension {@code name} at version 1.0. */
	static TestArtifacts sqlExtension(String name) {
		return builder()
			.file("share/extension/" + name + ".control",
					"# " + name + "\ncomment = 'test extension " + name + "'\ndefault_version = '1.0'\n"
							+ "relocatable = true\ntrusted = true\n")
			.file("share/extension/" + name + "--1.0.sql",
					"CREATE FUNCTION " + name + "_answer() RETURNS int LANGUAGE sql AS 'SELECT 42';\n");
	}

	/** Metadata for distribution {@code name} at {@code version}. */
	static String metadata(String name, String version) {
		return """
				{"name": "%s", "version": "%s", "abstract": "Test distribution %s", "license": "postgresql",
				 "maintainer": "pgext tests", "meta-spec": {"version": "1.0.0"}}
				""".formatted(name, version, name);
	}

	TestArtifacts file(String path, String content) {
		return file(path, content.getBytes(StandardCharsets.UTF_8));
	}

	TestArtifacts file(String path, byte[] content) {
		return file(path, content, 0644);
	}

	TestArtifacts file(String path, byte[] content, int mode) {
		TarArchiveEntry entry = new TarArchiveEntry(path, true);
		entry.setSize(content.length);
		entry.setMode(mode);
		this.entries.add(entry);
		this.contents.add(content);
		return this;
	}

	TestArtifacts directory(String path, int mode) {
		TarArchiveEntry entry = new TarArchiveEntry(path + "/", true);
		entry.setMode(mode | 040000);
		this.entries.add(entry);
		this.contents.add(new byte[0]);
		return this;
	}

	TestArtifacts symlink(String path, String target) {
		TarArchiveEntry entry = new TarArchiveEntry(path, TarArchiveEntry.LF_SYMLINK, true);
		entry.setLinkName(target);
		this.entries.add(entry);
		this.contents.add(new byte[0]);
		return this;
	}

	byte[] tarGz() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try {
			write(new GzipCompressorOutputStream(bytes));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	byte[] tarZst() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try {
			write(new ZstdCompressorOutputStream(bytes));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	private void write(OutputStream compressed) throws IOException {
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(compressed)) {
			tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
			for (int i = 0; i < this.entries.size(); i++) {
				tar.putArchiveEntry(this.entries.get(i));
				tar.write(this.contents.get(i));
				tar.closeArchiveEntry();
			}
		}
	}

}
