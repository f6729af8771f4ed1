package dev.pgext.cli.pack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * Writes an {@link InstallTree} as the {@code .tar.gz} the registry takes: regular files
 * only, in path order, owned by root, 0755 for libraries and 0644 for the rest, with one
 * fixed time, so the same tree always gives the same bytes. The archive is written to a
 * temporary file and renamed into place, so an interrupted run leaves no half-written
 * artifact.
 */
final class ArtifactWriter {

	private static final FileTime EPOCH = FileTime.fromMillis(0);

	private ArtifactWriter() {
	}

	static void write(InstallTree tree, Path target) throws IOException {
		Files.createDirectories(target.toAbsolutePath().getParent());
		Path part = target.resolveSibling("." + target.getFileName() + ".part");
		try {
			GzipParameters gzip = new GzipParameters();
			gzip.setModificationTime(0);
			try (OutputStream file = Files.newOutputStream(part);
					TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(file, gzip),
							"UTF-8")) {
				tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
				tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
				for (Map.Entry<String, Path> entry : tree.files().entrySet()) {
					TarArchiveEntry header = new TarArchiveEntry(entry.getKey());
					header.setSize(Files.size(entry.getValue()));
					header.setMode(entry.getKey().startsWith("lib/") ? 0100755 : 0100644);
					header.setLastModifiedTime(EPOCH);
					header.setUserId(0);
					header.setGroupId(0);
					header.setUserName("root");
					header.setGroupName("root");
					tar.putArchiveEntry(header);
					try (InputStream in = Files.newInputStream(entry.getValue())) {
						in.transferTo(tar);
					}
					tar.closeArchiveEntry();
				}
				tar.finish();
			}
			Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		finally {
			Files.deleteIfExists(part);
		}
	}

}
