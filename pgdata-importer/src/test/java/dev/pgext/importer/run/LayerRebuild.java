package dev.pgext.importer.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.pgext.importer.keyspace.Key;
import dev.pgext.importer.keyspace.Keys;
import dev.pgext.importer.layer.ImageLayerReader;
import dev.pgext.model.store.ObjectStore;

/**
 * Test helper: reads every layer of an import (all shards) back and writes the files they
 * describe, using nothing but the layers.
 */
public final class LayerRebuild {

	private LayerRebuild() {
	}

	/** Every key and value of the finished jobs' layers of the given shard imports. */
	public static Map<Key, byte[]> readAll(ObjectStore storage, List<IndexPart> shards, Path scratch)
			throws IOException {
		Map<Key, byte[]> values = new TreeMap<>();
		Files.createDirectories(scratch);
		for (IndexPart part : shards) {
			for (IndexPart.FinishedJob job : part.importPgdata().finishedJobs()) {
				Path file = scratch.resolve(job.layer());
				Files.write(file, storage.getBytes(ImportLayout.layer(part.id(), job.layer())).orElseThrow());
				try (ImageLayerReader reader = ImageLayerReader.open(file)) {
					reader.forEach((key, value) -> {
						byte[] previous = values.put(key, value);
						if (previous != null && !java.util.Arrays.equals(previous, value)) {
							throw new IllegalStateException("two layers disagree about " + key);
						}
					});
				}
				Files.delete(file);
			}
		}
		return values;
	}

	/**
	 * Writes the relation files, relation maps, SLRU segments and pg_control the keys
	 * describe.
	 */
	public static void writeFiles(Map<Key, byte[]> values, Path pgdata) throws IOException {
		for (Map.Entry<Key, byte[]> e : values.entrySet()) {
			Key key = e.getKey();
			if (key.field1() == 0 && key.field4() != 0 && key.field6() == Key.SIZE_MARKER) {
				int blocks = ByteBuffer.wrap(e.getValue()).getInt();
				writeFork(values, key, blocks, pgdata);
			}
			else if (key.field1() == 0 && key.field2() != 0 && key.field4() == 0 && key.field6() == 0) {
				write(pgdata.resolve(directory(key.field2(), key.field3())).resolve("pg_filenode.map"), e.getValue());
			}
			else if (key.field1() == 1 && key.field3() == 1 && key.field6() == Key.SIZE_MARKER) {
				Keys.SlruKind kind = Keys.SlruKind.ofCode(key.field2());
				int blocks = ByteBuffer.wrap(e.getValue()).getInt();
				byte[] file = new byte[blocks * 8192];
				for (int b = 0; b < blocks; b++) {
					System.arraycopy(values.get(Keys.slruBlock(kind, key.field4(), b)), 0, file, b * 8192, 8192);
				}
				write(pgdata.resolve(kind.directory()).resolve(String.format("%04X", key.field4())), file);
			}
			else if (key.equals(Keys.controlFile())) {
				write(pgdata.resolve("global/pg_control"), e.getValue());
			}
		}
	}

	private static void writeFork(Map<Key, byte[]> values, Key sizeKey, int blocks, Path pgdata) throws IOException {
		int segmentBlocks = 131072;
		String suffix = switch (sizeKey.field5()) {
			case Keys.FSM_FORK -> "_fsm";
			case Keys.VISIBILITY_MAP_FORK -> "_vm";
			case Keys.INIT_FORK -> "_init";
			default -> "";
		};
		Path dir = pgdata.resolve(directory(sizeKey.field2(), sizeKey.field3()));
		int segments = Math.max(1, (blocks + segmentBlocks - 1) / segmentBlocks);
		for (int s = 0; s < segments; s++) {
			int from = s * segmentBlocks;
			int n = Math.min(segmentBlocks, blocks - from);
			byte[] file = new byte[n * 8192];
			for (int b = 0; b < n; b++) {
				byte[] page = values.get(Keys.relBlock(sizeKey.field2(), sizeKey.field3(), sizeKey.field4(),
						sizeKey.field5(), from + b));
				if (page == null) {
					throw new IllegalStateException("no layer holds block " + (from + b) + " of " + sizeKey);
				}
				System.arraycopy(page, 0, file, b * 8192, 8192);
			}
			String name = Integer.toUnsignedString(sizeKey.field4()) + suffix + ((s > 0) ? "." + s : "");
			write(dir.resolve(name), file);
		}
	}

	private static String directory(int spc, int db) {
		return (spc == Keys.GLOBAL_TABLESPACE) ? "global" : "base/" + Integer.toUnsignedString(db);
	}

	private static void write(Path file, byte[] bytes) throws IOException {
		Files.createDirectories(file.getParent());
		Files.write(file, bytes);
	}

}
