package dev.pgext.model.place;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;

/**
 * A visitor for a directory tree that other processes change while it is walked (a node
 * cache shared by the loaders of a node, a scratch root shared by test JVMs): a file or
 * directory removed or renamed between its listing and its reading is skipped; any other
 * failure ends the walk. Subclasses say what to do with each file and, after its entries,
 * with each directory.
 */
public abstract class RemovalTolerantVisitor extends SimpleFileVisitor<Path> {

	@Override
	public final FileVisitResult visitFileFailed(Path file, IOException ex) throws IOException {
		return skipIfGone(ex);
	}

	@Override
	public final FileVisitResult postVisitDirectory(Path directory, IOException ex) throws IOException {
		if (ex != null) {
			skipIfGone(ex);
		}
		afterEntries(directory);
		return FileVisitResult.CONTINUE;
	}

	/** Called once every entry of {@code directory} was visited or found gone. */
	protected void afterEntries(Path directory) throws IOException {
	}

	private static FileVisitResult skipIfGone(IOException ex) throws IOException {
		if (ex instanceof NoSuchFileException) {
			return FileVisitResult.CONTINUE;
		}
		throw ex;
	}

}
