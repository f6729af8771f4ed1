package dev.pgext.importer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

import com.github.luben.zstd.Zstd;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.pgext.importer.run.IndexPart;
import dev.pgext.model.place.FileTrees;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/importer.md is enough to read the layers: a decoder written from its "Image layer
 * format" and "Key layout and values" sections alone, with its own constants and none of
 * the production reader, decodes the layers of a real import and rebuilds the source
 * files byte for byte.
 */
class LayerFormatDocumentationIntegrationTests extends ImporterIntegrationTestSupport {

	// every constant below is stated in docs/importer.md

	private static final byte[] MAGIC = "PGXLAYER".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] END_MAGIC = "PGXLEND1".getBytes(StandardCharsets.US_ASCII);

	private static final int HEADER = 64;

	private static final int ENTRY = 36;

	private static final int TRAILER = 24;

	private static final int CRC_EXCLUDED = 12;

	private static final long SIZE_MARKER = 0xFFFFFFFFL;

	private static final int GLOBAL_SPC = 1664;

	private static final int RELSEG_SIZE = 131072;

	private static final int PAGE = 8192;

	private static final Map<Integer, String> FORK_SUFFIX = Map.of(0, "", 1, "_fsm", 2, "_vm", 3, "_init");

	private static final Map<Integer, String> SLRU_DIRECTORY = Map.of(0, "pg_xact", 1, "pg_multixact/members", 2,
			"pg_multixact/offsets");

	/**
	 * Reads the layers of the reference import of the whole fixture, which
	 * {@code ImportIntegrationTests} compares with too: only reading them, it need not
	 * import the fixture again.
	 */
	@Test
	void aDecoderWrittenFromTheDocumentRebuildsTheSourceFromTheLayers() throws Exception {
		JsonNode status = referenceImport();
		String timeline = REFERENCE;
		assertThat(status.path("state").asString()).as(status.toString()).isEqualTo("done");

		IndexPart part = indexPart(TENANT, "0001", timeline);
		Map<String, byte[]> values = new TreeMap<>();
		for (IndexPart.FinishedJob job : part.importPgdata().finishedJobs()) {
			byte[] layer = this.storage
				.getBytes("tenants/" + TENANT + "-0001/timelines/" + timeline + "/layers/" + job.layer())
				.orElseThrow();
			values.putAll(decode(layer, job.layer()));
		}
		byte[] control = values.get(key(3, 0, 0, 0, 0, 0));
		byte[] source = Files.readAllBytes(PgdataFixture.pgdata().resolve("global/pg_control"));
		assertThat(control).isEqualTo(source);
		assertThat(values.get(key(3, 0, 0, 0, 0, 1))).isEqualTo(Arrays.copyOfRange(source, 40, 128));

		Path rebuilt = Path.of("target", "rebuilt-from-the-document").toAbsolutePath();
		FileTrees.delete(rebuilt);
		writeFiles(values, rebuilt);
		assertSameFiles(PgdataFixture.pgdata(), rebuilt);
	}

	/**
	 * Every key and value of a layer, keys as 36 hex digits; checks what the document
	 * says a reader checks.
	 */
	private static Map<String, byte[]> decode(byte[] file, String name) {
		ByteBuffer b = ByteBuffer.wrap(file);
		assertThat(Arrays.copyOfRange(file, 0, 8)).isEqualTo(MAGIC);
		assertThat(b.getShort(8)).isEqualTo((short) 1);
		assertThat(Arrays.copyOfRange(file, file.length - 8, file.length)).isEqualTo(END_MAGIC);
		CRC32C crc = new CRC32C();
		crc.update(file, 0, file.length - CRC_EXCLUDED);
		assertThat(b.getInt(file.length - CRC_EXCLUDED)).isEqualTo((int) crc.getValue());
		String start = HexFormat.of().formatHex(file, 16, 34);
		String end = HexFormat.of().formatHex(file, 34, 52);
		long lsn = b.getLong(52);
		assertThat(name).isEqualTo(start + "-" + end + "__" + String.format("%016x", lsn));

		long indexOffset = b.getLong(file.length - TRAILER);
		int count = b.getInt(file.length - TRAILER + 8);
		assertThat(indexOffset + (long) count * ENTRY + TRAILER).isEqualTo(file.length);
		Map<String, byte[]> values = new TreeMap<>();
		String previous = null;
		for (int i = 0; i < count; i++) {
			int at = (int) indexOffset + i * ENTRY;
			String key = HexFormat.of().formatHex(file, at, at + 18);
			assertThat(previous == null || key.compareTo(previous) > 0).as("keys strictly increasing").isTrue();
			assertThat(key.compareTo(start) >= 0 && key.compareTo(end) < 0).as("key inside the range").isTrue();
			long offset = b.getLong(at + 18);
			int stored = b.getInt(at + 26);
			int raw = b.getInt(at + 30);
			int encoding = file[at + 34];
			byte[] bytes = Arrays.copyOfRange(file, (int) offset, (int) offset + stored);
			byte[] value = (encoding == 1) ? Zstd.decompress(bytes, raw) : bytes;
			assertThat(value).hasSize(raw);
			values.put(key, value);
			previous = key;
		}
		return values;
	}

	private static void writeFiles(Map<String, byte[]> values, Path pgdata) throws Exception {
		for (Map.Entry<String, byte[]> e : values.entrySet()) {
			ByteBuffer k = ByteBuffer.wrap(HexFormat.of().parseHex(e.getKey()));
			int f1 = k.get() & 0xFF;
			long f2 = k.getInt() & 0xFFFFFFFFL;
			long f3 = k.getInt() & 0xFFFFFFFFL;
			long f4 = k.getInt() & 0xFFFFFFFFL;
			int f5 = k.get() & 0xFF;
			long f6 = k.getInt() & 0xFFFFFFFFL;
			String directory = (f2 == GLOBAL_SPC) ? "global" : "base/" + f3;
			if (f1 == 0 && f4 != 0 && f6 == SIZE_MARKER) {
				long blocks = ByteBuffer.wrap(e.getValue()).getInt() & 0xFFFFFFFFL;
				long segments = Math.max(1, (blocks + RELSEG_SIZE - 1) / RELSEG_SIZE);
				for (long s = 0; s < segments; s++) {
					long from = s * RELSEG_SIZE;
					int n = (int) Math.min(RELSEG_SIZE, blocks - from);
					byte[] file = new byte[n * PAGE];
					for (int i = 0; i < n; i++) {
						byte[] page = values.get(key(0, f2, f3, f4, f5, from + i));
						System.arraycopy(page, 0, file, i * PAGE, PAGE);
					}
					write(pgdata.resolve(directory).resolve(f4 + FORK_SUFFIX.get(f5) + ((s > 0) ? "." + s : "")), file);
				}
			}
			else if (f1 == 0 && f2 != 0 && f4 == 0 && f6 == 0) {
				write(pgdata.resolve(directory).resolve("pg_filenode.map"), e.getValue());
			}
			else if (f1 == 1 && f3 == 1 && f6 == SIZE_MARKER) {
				int blocks = ByteBuffer.wrap(e.getValue()).getInt();
				byte[] file = new byte[blocks * PAGE];
				for (int i = 0; i < blocks; i++) {
					System.arraycopy(values.get(key(1, f2, 1, f4, 0, i)), 0, file, i * PAGE, PAGE);
				}
				write(pgdata.resolve(SLRU_DIRECTORY.get((int) f2)).resolve(String.format("%04X", f4)), file);
			}
			else if (f1 == 3 && f6 == 0) {
				write(pgdata.resolve("global/pg_control"), e.getValue());
			}
		}
	}

	private static String key(int f1, long f2, long f3, long f4, int f5, long f6) {
		return HexFormat.of()
			.formatHex(ByteBuffer.allocate(18)
				.order(ByteOrder.BIG_ENDIAN)
				.put((byte) f1)
				.putInt((int) f2)
				.putInt((int) f3)
				.putInt((int) f4)
				.put((byte) f5)
				.putInt((int) f6)
				.array());
	}

	private static void write(Path file, byte[] bytes) throws Exception {
		Files.createDirectories(file.getParent());
		Files.write(file, bytes);
	}

}
