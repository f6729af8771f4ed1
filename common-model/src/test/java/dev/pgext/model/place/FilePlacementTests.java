package dev.pgext.model.place;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.index.ExtFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Verified, atomic placement: what a reader of the target directory can ever see. */
class FilePlacementTests {

	private static final byte[] CONTENT = "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';"
		.getBytes(StandardCharsets.UTF_8);

	@TempDir
	Path dir;

	@Test
	void verifiedContentIsRenamedIntoPlaceWithItsMode() throws IOException {
		ExtFile library = new ExtFile("lib/f.so", Sha256Digest.of(CONTENT), CONTENT.length);
		Path target = this.dir.resolve("f.so");

		FilePlacement.receive(new ByteArrayInputStream(CONTENT), library, target, FilePlacement.Flow.NONE);

		assertThat(target).hasBinaryContent(CONTENT);
		assertThat(Files.getPosixFilePermissions(target)).isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
		assertThat(FilePlacement.hasContent(target, library)).isTrue();
		assertThat(files()).containsExactly(target);
	}

	@Test
	void contentThatIsNotWhatTheIndexSaysLeavesTheTargetUntouchedAndNoPartFile() throws IOException {
		ExtFile script = new ExtFile("share/extension/f--1.0.sql", Sha256Digest.of(CONTENT), CONTENT.length);
		Path target = Files.writeString(this.dir.resolve("f--1.0.sql"), "old");
		byte[] tampered = CONTENT.clone();
		tampered[0] ^= 1;

		assertThatExceptionOfType(ContentMismatchException.class)
			.isThrownBy(() -> FilePlacement.receive(new ByteArrayInputStream(tampered), script, target,
					FilePlacement.Flow.NONE))
			.withMessageContaining("refused");
		byte[] longer = (new String(CONTENT, StandardCharsets.UTF_8) + " ").getBytes(StandardCharsets.UTF_8);
		assertThatExceptionOfType(ContentMismatchException.class).isThrownBy(
				() -> FilePlacement.receive(new ByteArrayInputStream(longer), script, target, FilePlacement.Flow.NONE))
			.withMessageContaining("larger than");

		assertThat(target).hasContent("old");
		assertThat(files()).containsExactly(target);
	}

	@Test
	void stagedContentReplacesTheTargetOnlyWhenPromoted() throws IOException {
		ExtFile control = new ExtFile("share/extension/f.control", Sha256Digest.of(CONTENT), CONTENT.length);
		Path target = Files.writeString(this.dir.resolve("f.control"), "old");
		Path staged = FilePlacement.stagedSibling(target);

		FilePlacement.receive(new ByteArrayInputStream(CONTENT), control, staged, FilePlacement.Flow.NONE);
		assertThat(target).hasContent("old");
		assertThat(staged.getFileName().toString()).endsWith(FilePlacement.PART_SUFFIX);
		assertThat(FilePlacement.writerOf(staged)).contains(ProcessHandle.current().pid());

		FilePlacement.promote(staged, target);
		assertThat(target).hasBinaryContent(CONTENT);
		assertThat(files()).containsExactly(target);
	}

	@Test
	void contentStagedWithoutFsyncIsVerifiedAndNamedOnlyWhenPromoted() throws IOException {
		ExtFile library = new ExtFile("lib/f.so", Sha256Digest.of(CONTENT), CONTENT.length);
		Path target = Files.writeString(this.dir.resolve("f.so"), "old");

		Path staged = FilePlacement.stage(new ByteArrayInputStream(CONTENT), library, target, FilePlacement.Flow.NONE);
		assertThat(staged).hasBinaryContent(CONTENT);
		assertThat(Files.getPosixFilePermissions(staged)).isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
		assertThat(staged.getFileName().toString()).endsWith(FilePlacement.PART_SUFFIX);
		assertThat(target).hasContent("old");

		FilePlacement.sync(staged);
		FilePlacement.promote(staged, target);
		assertThat(target).hasBinaryContent(CONTENT);
		assertThat(files()).containsExactly(target);
	}

	@Test
	void stagedContentThatIsNotWhatTheIndexSaysLeavesNothingBehind() throws IOException {
		ExtFile library = new ExtFile("lib/f.so", Sha256Digest.of(CONTENT), CONTENT.length);
		Path target = this.dir.resolve("f.so");
		byte[] tampered = CONTENT.clone();
		tampered[3] ^= 1;

		assertThatExceptionOfType(ContentMismatchException.class).isThrownBy(() -> FilePlacement
			.stage(new ByteArrayInputStream(tampered), library, target, FilePlacement.Flow.NONE));
		assertThat(files()).isEmpty();
	}

	private java.util.List<Path> files() throws IOException {
		try (Stream<Path> files = Files.list(this.dir)) {
			return files.toList();
		}
	}

	@Test
	void aDirectoryMovedIntoPlaceIsWholeAndASecondBuilderLeavesTheFirstsInPlace() throws IOException {
		Path first = Files.createDirectories(this.dir.resolve("first/tree"));
		Files.writeString(first.resolve("PG_VERSION"), "15\n");
		Path second = Files.createDirectories(this.dir.resolve("second/tree"));
		Files.writeString(second.resolve("PG_VERSION"), "other\n");
		Path target = this.dir.resolve("installed");

		assertThat(FilePlacement.moveDirectoryIntoPlace(first, target)).isTrue();
		assertThat(FilePlacement.moveDirectoryIntoPlace(second, target)).isFalse();

		assertThat(target.resolve("PG_VERSION")).hasContent("15");
		assertThat(first).doesNotExist();
		assertThat(second.resolve("PG_VERSION")).as("left for its builder to delete").hasContent("other");
	}

	@Test
	void partFilesThatVanishWhileTheTreeIsWalkedAreSkipped() throws IOException {
		Path tree = this.dir.resolve("tree");
		for (String sub : List.of("a", "b", "c")) {
			Path subdir = Files.createDirectories(tree.resolve(sub).resolve("nested"));
			for (int i = 0; i < 4; i++) {
				Files.writeString(tree.resolve(sub).resolve(".f" + i + ".1.1" + FilePlacement.PART_SUFFIX), "x");
				Files.writeString(subdir.resolve(".g" + i + ".1.1" + FilePlacement.PART_SUFFIX), "x");
			}
		}
		AtomicInteger asked = new AtomicInteger();

		// the first part file the walk meets removes every other entry of the tree, as
		// other writers' renames and removals do while it runs: entries the walk has
		// listed but not yet read are gone
		int removed = FilePlacement.removeLeftovers(tree, (part) -> {
			if (asked.getAndIncrement() == 0) {
				removeAllBut(tree, part);
			}
			return true;
		});

		assertThat(removed).isEqualTo(asked.get()).isOne();
		assertThat(FilePlacement.partFilesUnder(tree)).isEmpty();
		assertThat(FilePlacement.partFilesUnder(this.dir.resolve("gone"))).isEmpty();
	}

	private static void removeAllBut(Path tree, Path kept) {
		try (Stream<Path> all = Files.walk(tree)) {
			all.sorted(Comparator.reverseOrder())
				.filter((p) -> !p.equals(tree) && !kept.startsWith(p))
				.forEach((p) -> p.toFile().delete());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
