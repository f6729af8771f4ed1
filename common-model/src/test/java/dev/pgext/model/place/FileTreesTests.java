package dev.pgext.model.place;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class FileTreesTests {

	@TempDir
	Path temp;

	@Test
	void aSymbolicLinkIsRemovedAndWhatItPointsToKept() throws IOException {
		Path outside = Files.createDirectories(this.temp.resolve("outside"));
		Files.writeString(outside.resolve("kept"), "x");
		Path tree = Files.createDirectories(this.temp.resolve("tree").resolve("nested"));
		Files.createSymbolicLink(tree.resolve("link-to-dir"), outside);
		Files.createSymbolicLink(tree.resolve("link-to-file"), outside.resolve("kept"));
		FileTrees.delete(this.temp.resolve("tree"));
		assertThat(this.temp.resolve("tree")).doesNotExist();
		assertThat(outside.resolve("kept")).hasContent("x");
	}

	@Test
	void aTreeTwoProcessesRemoveAtOnceIsGoneWithoutAnError() throws Exception {
		// two test JVMs removing the same gone JVM's directory, or a deletion racing
		// with its owner's own clean-up: each finds entries the other removed meanwhile
		for (int round = 0; round < 10; round++) {
			Path tree = this.temp.resolve("tree" + round);
			for (int d = 0; d < 5; d++) {
				Path nested = Files.createDirectories(tree.resolve("d" + d).resolve("nested"));
				for (int f = 0; f < 20; f++) {
					Files.writeString(nested.resolve("f" + f), "x");
					Files.writeString(nested.getParent().resolve("g" + f), "x");
				}
			}
			CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
				try {
					FileTrees.delete(tree);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
			FileTrees.delete(tree);
			other.get();
			assertThat(tree).doesNotExist();
		}
		FileTrees.delete(this.temp.resolve("never-there"));
	}

}
