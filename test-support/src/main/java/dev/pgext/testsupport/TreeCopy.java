package dev.pgext.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Copies of directory trees for tests (installations, data directories), made with
 * {@code cp}, which keeps modes, symbolic links and times and costs a fraction of the CPU
 * of extracting or initialising the tree again.
 */
public final class TreeCopy {

	private TreeCopy() {
	}

	/**
	 * Copies the contents of {@code from} into {@code into} (created when missing) with
	 * {@code cp -a}.
	 * @throws IOException when the copy fails, with {@code cp}'s message
	 */
	public static void copy(Path from, Path into) throws IOException {
		Files.createDirectories(into);
		String failure = cp("-a", from, into);
		if (failure != null) {
			throw new IOException("copying " + from + " to " + into + " failed: " + failure);
		}
	}

	/**
	 * Fills {@code into} (created when missing) with hard links to the files of
	 * {@code from} ({@code cp -al}).
	 * @return whether every link was made; {@code false} when they cannot be (another
	 * file system), with {@code into} partly filled
	 */
	public static boolean link(Path from, Path into) throws IOException {
		Files.createDirectories(into);
		return cp("-al", from, into) == null;
	}

	/** Runs {@code cp}; its output when it fails, otherwise {@code null}. */
	private static String cp(String options, Path from, Path into) throws IOException {
		Process cp = new ProcessBuilder("cp", options, from + "/.", into.toString()).redirectErrorStream(true).start();
		cp.getOutputStream().close();
		String output = new String(cp.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		try {
			return (cp.waitFor() != 0) ? output.strip() : null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted while copying " + from, ex);
		}
	}

}
