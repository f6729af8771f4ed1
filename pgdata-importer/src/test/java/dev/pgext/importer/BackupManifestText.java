package dev.pgext.importer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

import dev.pgext.model.Sha256Digest;

/**
 * A {@code backup_manifest} in the layout {@code pg_basebackup} writes (one file per
 * line, CRC-32C checksums, the manifest's own SHA-256 on the last line), for a chosen set
 * of files.
 */
final class BackupManifestText {

	static final String FILE = "backup_manifest";

	private BackupManifestText() {
	}

	static byte[] of(Path pgdata, List<String> files) {
		StringBuilder text = new StringBuilder("{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [\n");
		for (int i = 0; i < files.size(); i++) {
			byte[] bytes;
			try {
				bytes = Files.readAllBytes(pgdata.resolve(files.get(i)));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			CRC32C crc = new CRC32C();
			crc.update(bytes);
			String checksum = HexFormat.of()
				.formatHex(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue()).array());
			text.append("{ \"Path\": \"")
				.append(files.get(i))
				.append("\", \"Size\": ")
				.append(bytes.length)
				.append(", \"Last-Modified\": \"2026-12-01 10:00:00 GMT\", \"Checksum-Algorithm\": \"CRC32C\", \"Checksum\": \"")
				.append(checksum)
				.append("\" }")
				.append((i + 1 < files.size()) ? ",\n" : "\n");
		}
		text.append(
				"],\n\"WAL-Ranges\": [\n{ \"Timeline\": 1, \"Start-LSN\": \"0/2000028\", \"End-LSN\": \"0/2000100\" }\n],\n");
		String body = text.toString();
		String checksum = Sha256Digest.of(body.getBytes(StandardCharsets.UTF_8)).hex();
		return (body + "\"Manifest-Checksum\": \"" + checksum + "\"}\n").getBytes(StandardCharsets.UTF_8);
	}

}
