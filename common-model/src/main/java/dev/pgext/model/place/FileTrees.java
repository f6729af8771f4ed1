package dev.pgext.model.place;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Removal of directory trees: the one way the services, the command-line client and the
 * tests delete a tree of files.
 */
public final class FileTrees {

	private FileTrees() {
	}

	/**
	 * Deletes a directory tree if it exists; symbolic links are removed, not followed.
	 * What another process removes at the same moment (two JVMs clearing the same
	 * leftover, an owner's own clean-up) is skipped, not an error.
	 */
	public static void delete(Path root) throws IOException {
		Files.walkFileTree(root, new RemovalTolerantVisitor() {

			@Override
			public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
				Files.deleteIfExists(file);
				return FileVisitResult.CONTINUE;
			}

			@Override
			protected void afterEntries(Path directory) throws IOException {
				Files.deleteIfExists(directory);
			}

		});
	}

}
