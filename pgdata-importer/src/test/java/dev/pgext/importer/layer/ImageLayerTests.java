package dev.pgext.importer.layer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.importer.keyspace.Key;
import dev.pgext.importer.keyspace.Keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The image layer format: what is written is read back, the same input gives the same
 * bytes, and damage is detected.
 */
class ImageLayerTests {

	@TempDir
	Path dir;

	private String digest;

	@Test
	void everyValueIsReadBackByPointLookupAndInOrder() throws IOException {
		Path file = write("a", 1, 300);
		try (ImageLayerReader reader = ImageLayerReader.open(file)) {
			assertThat(reader.entries()).isEqualTo(301);
			assertThat(reader.lsn()).isEqualTo(0x16B3F28L);
			assertThat(reader.get(Keys.relBlock(1663, 5, 1259, 0, 7))).hasValueSatisfying((v) -> {
				assertThat(v).hasSize(8192);
				assertThat(v).isEqualTo(page(7));
			});
			assertThat(reader.get(Keys.relSize(1663, 5, 1259, 0))).hasValue(new byte[] { 0, 0, 1, 44 });
			assertThat(reader.get(Keys.relBlock(1663, 5, 1259, 0, 300))).isEmpty();
			List<Key> keys = new ArrayList<>();
			reader.forEach((k, v) -> keys.add(k));
			assertThat(keys).isSorted().hasSize(301);
		}
	}

	@Test
	void theSameInputGivesTheSameBytesAndCompressionShrinksPages() throws IOException {
		Path first = write("first", 1, 100);
		Path second = write("second", 1, 100);
		Path raw = write("raw", 0, 100);
		assertThat(Files.readAllBytes(first)).isEqualTo(Files.readAllBytes(second));
		assertThat(this.digest).isEqualTo(dev.pgext.model.Sha256Digest.of(raw).hex());
		assertThat(Files.size(first)).isLessThan(Files.size(raw) / 2);
		try (ImageLayerReader reader = ImageLayerReader.open(raw)) {
			assertThat(reader.get(Keys.relBlock(1663, 5, 1259, 0, 99))).hasValue(page(99));
		}
	}

	@Test
	void aFastNegativeLevelCompressesAndReadsBack() throws IOException {
		Path fast = write("fast", -5, 100);
		Path raw = write("raw", 0, 100);
		assertThat(Files.size(fast)).isLessThan(Files.size(raw));
		try (ImageLayerReader reader = ImageLayerReader.open(fast)) {
			for (int block = 0; block < 100; block++) {
				assertThat(reader.get(Keys.relBlock(1663, 5, 1259, 0, block))).hasValue(page(block));
			}
		}
	}

	@Test
	void aFlippedBitAnywhereIsDetected() throws IOException {
		Path file = write("flip", 1, 50);
		byte[] bytes = Files.readAllBytes(file);
		bytes[bytes.length / 2] ^= 0x01;
		Files.write(file, bytes);
		assertThatExceptionOfType(LayerFormatException.class).isThrownBy(() -> ImageLayerReader.open(file))
			.withMessageContaining("checksum mismatch");
		Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 10));
		assertThatExceptionOfType(LayerFormatException.class).isThrownBy(() -> ImageLayerReader.open(file))
			.withMessageContaining("truncated");
	}

	@Test
	void keysMustBeIncreasingAndInsideTheRange() throws IOException {
		Key start = Keys.relBlock(1663, 5, 1259, 0, 0);
		try (ImageLayerWriter writer = new ImageLayerWriter(this.dir.resolve("order"), start,
				Keys.relBlock(1663, 5, 1259, 0, 10), 1, 1)) {
			writer.put(Keys.relBlock(1663, 5, 1259, 0, 5), page(5));
			assertThatIllegalArgumentException()
				.isThrownBy(() -> writer.put(Keys.relBlock(1663, 5, 1259, 0, 5), page(5)))
				.withMessageContaining("strictly increasing");
			assertThatIllegalArgumentException()
				.isThrownBy(() -> writer.put(Keys.relBlock(1663, 5, 1259, 0, 10), page(5)))
				.withMessageContaining("outside the layer's range");
		}
	}

	@Test
	void theNameCarriesTheRangeAndLsn() {
		assertThat(ImageLayerFormat.name(Key.MIN, Key.MAX, 0x16B3F28L))
			.isEqualTo("000000000000000000000000000000000000-ffffffffffffffffffffffffffffffffffff__00000000016b3f28");
	}

	private Path write(String name, int level, int pages) throws IOException {
		Path file = this.dir.resolve(name);
		try (ImageLayerWriter writer = new ImageLayerWriter(file, Key.MIN, Key.MAX, 0x16B3F28L, level)) {
			for (int i = 0; i < pages; i++) {
				writer.put(Keys.relBlock(1663, 5, 1259, 0, i), page(i));
			}
			writer.put(Keys.relSize(1663, 5, 1259, 0), new byte[] { 0, 0, 1, 44 });
			writer.finish();
			this.digest = writer.sha256();
		}
		return file;
	}

	/**
	 * A page that looks like a real one: header, a little random data, zeros in the
	 * middle.
	 */
	private static byte[] page(int seed) {
		byte[] page = new byte[8192];
		Random random = new Random(seed);
		for (int i = 0; i < 24; i++) {
			page[i] = (byte) random.nextInt();
		}
		for (int i = 7000; i < 8192; i++) {
			page[i] = (byte) random.nextInt(4);
		}
		return page;
	}

}
