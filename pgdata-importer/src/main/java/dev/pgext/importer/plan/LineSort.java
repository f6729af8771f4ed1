package dev.pgext.importer.plan;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.google.code.externalsorting.ExternalSort;

/**
 * Sorts the lines of a text file by their text, outside the heap: sorted runs of a
 * bounded size spilled beside it, then one k-way merge. The planner and the file-list
 * check both write lines whose leading field's text order is the order they need.
 */
public final class LineSort {

	/** Heap one sorted run may take (as estimated by the sort), unless given. */
	public static final long RUN_MEMORY = 8L << 20;

	/** Most sorted runs merged at once. */
	private static final int MAX_RUNS = 1024;

	private LineSort() {
	}

	/**
	 * Writes the lines of {@code unsorted} to {@code sorted} in text order.
	 * @param directory where the runs are spilled; they are removed before this returns
	 * or fails
	 * @param runMemory heap one sorted run may take
	 */
	public static void sort(Path unsorted, Path sorted, Path directory, long runMemory) throws IOException {
		List<File> runs = new ArrayList<>();
		try {
			try (BufferedReader in = Files.newBufferedReader(unsorted, StandardCharsets.UTF_8)) {
				runs.addAll(ExternalSort.sortInBatch(in, Files.size(unsorted), String::compareTo, MAX_RUNS, runMemory,
						StandardCharsets.UTF_8, directory.toFile(), false, 0, false, false));
			}
			try (BufferedWriter out = Files.newBufferedWriter(sorted, StandardCharsets.UTF_8)) {
				ExternalSort.mergeSortedFiles(runs, out, String::compareTo, StandardCharsets.UTF_8, false, false);
			}
		}
		finally {
			for (File run : runs) {
				try {
					Files.deleteIfExists(run.toPath());
				}
				catch (IOException ex) {
					// the caller removes its whole work directory at the end of the run
				}
			}
		}
	}

}
