package dev.pgext.bundle.archive;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Tests for {@link BundleArchive}: reproducible output and extraction that never writes
 * outside its target.
 */
class BundleArchiveTests {

	static final long EPOCH = 1_700_000_000L;

	@TempDir
	Path temp;

	private Path tree(String name, FileTime mtime) throws IOException {
		Path root = Files.createDirectories(this.temp.resolve(name));
		Files.createDirectories(root.resolve("v15/bin"));
		Files.writeString(root.resolve("v15/bin/initdb"), "#!/bin/sh\n");
		Files.setAttribute(root.resolve("v15/bin/initdb"), "unix:mode", 0755);
		Files.writeString(root.resolve("LAUNCHER"), "#!/bin/sh\n");
		Files.setAttribute(root.resolve("LAUNCHER"), "unix:mode", 0755);
		Files.createSymbolicLink(root.resolve("v15/bin/initdb-link"), Path.of("initdb"));
		try (var paths = Files.walk(root)) {
			for (Path p : paths.filter((p) -> !Files.isSymbolicLink(p)).toList()) {
				Files.setLastModifiedTime(p, mtime);
				if (Files.isDirectory(p)) {
					Files.setAttribute(p, "unix:mode", 0755);
				}
			}
		}
		return root;
	}

	private static byte[] write(Path root) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		BundleArchive.write(root, BundleTree.scan(root), EPOCH, 3, out);
		return out.toByteArray();
	}

	@Test
	void theSameTreeGivesTheSameBytesWhateverTheFilesMtimes() throws IOException {
		byte[] first = write(tree("a", FileTime.fromMillis(0)));
		byte[] second = write(tree("b", FileTime.fromMillis(System.currentTimeMillis())));
		assertThat(second).isEqualTo(first);
	}

	@Test
	void entriesAreSortedOwnedByRootAndCarryTheSourceDateEpoch() throws IOException {
		byte[] archive = write(tree("a", FileTime.fromMillis(123_000)));
		List<String> names = new ArrayList<>();
		try (TarArchiveInputStream tar = new TarArchiveInputStream(
				new ZstdInputStream(new ByteArrayInputStream(archive)))) {
			TarArchiveEntry entry;
			while ((entry = tar.getNextEntry()) != null) {
				names.add(entry.getName());
				assertThat(entry.getLongUserId()).isZero();
				assertThat(entry.getLongGroupId()).isZero();
				assertThat(entry.getUserName()).isEmpty();
				assertThat(entry.getGroupName()).isEmpty();
				assertThat(entry.getLastModifiedTime().toMillis()).isEqualTo(EPOCH * 1000);
			}
		}
		assertThat(names).containsExactly("LAUNCHER", "v15/", "v15/bin/", "v15/bin/initdb", "v15/bin/initdb-link");
	}

	@Test
	void extractingRestoresModesAndLinks() throws IOException {
		Path into = this.temp.resolve("out");
		BundleArchive.extract(new ByteArrayInputStream(write(tree("a", FileTime.fromMillis(0)))), into);
		assertThat(BundleTree.mode(into.resolve("v15/bin/initdb"))).isEqualTo(0755);
		assertThat(Files.readSymbolicLink(into.resolve("v15/bin/initdb-link"))).isEqualTo(Path.of("initdb"));
	}

	@Test
	void anEntryClimbingOutOfTheTargetIsRefused() throws IOException {
		byte[] archive = handMade((tar) -> file(tar, "../escaped", "x"));
		assertThatExceptionOfType(BundleFormatException.class)
			.isThrownBy(() -> BundleArchive.extract(new ByteArrayInputStream(archive), this.temp.resolve("out")))
			.withMessageContaining("'../escaped'");
		assertThat(this.temp.resolve("escaped")).doesNotExist();
	}

	@Test
	void anAbsoluteEntryIsRefused() throws IOException {
		byte[] archive = handMade((tar) -> file(tar, "/etc/evil", "x"));
		assertThatExceptionOfType(BundleFormatException.class)
			.isThrownBy(() -> BundleArchive.extract(new ByteArrayInputStream(archive), this.temp.resolve("out")))
			.withMessageContaining("absolute");
	}

	@Test
	void aLinkLeavingTheBundleIsRefused() throws IOException {
		byte[] archive = handMade((tar) -> {
			TarArchiveEntry link = new TarArchiveEntry("lib", TarConstants.LF_SYMLINK);
			link.setLinkName("/usr/lib");
			tar.putArchiveEntry(link);
			tar.closeArchiveEntry();
		});
		assertThatExceptionOfType(BundleFormatException.class)
			.isThrownBy(() -> BundleArchive.extract(new ByteArrayInputStream(archive), this.temp.resolve("out")))
			.withMessageContaining("links outside the bundle: /usr/lib");
	}

	@Test
	void aDuplicateEntryIsRefused() throws IOException {
		byte[] archive = handMade((tar) -> {
			file(tar, "LAUNCHER", "one");
			file(tar, "LAUNCHER", "two");
		});
		assertThatExceptionOfType(BundleFormatException.class)
			.isThrownBy(() -> BundleArchive.extract(new ByteArrayInputStream(archive), this.temp.resolve("out")))
			.withMessageContaining("LAUNCHER appears twice");
	}

	@Test
	void bytesThatAreNotZstdAreRefusedClearly() {
		assertThatExceptionOfType(BundleFormatException.class)
			.isThrownBy(() -> BundleArchive.extract(
					new ByteArrayInputStream("not a bundle".getBytes(StandardCharsets.UTF_8)), this.temp.resolve("x")))
			.withMessageContaining("not a readable tar.zst archive");
	}

	@Test
	void extractingIntoANonEmptyDirectoryIsRefused() throws IOException {
		Path into = Files.createDirectories(this.temp.resolve("out"));
		Files.writeString(into.resolve("keep"), "x");
		assertThatExceptionOfType(IOException.class).isThrownBy(
				() -> BundleArchive.extract(new ByteArrayInputStream(write(tree("a", FileTime.fromMillis(0)))), into));
		assertThat(into.resolve("keep")).hasContent("x");
	}

	static Stream<Arguments> hostileArchives() {
		return Stream.of(
				hostile("a link loop (p -> .) hiding a link out of the tree, then directories under it",
						(outside) -> CraftedArchives.empty().linkLoopTo(outside),
						"lies under the symbolic link p of the archive"),
				hostile("a directory entry under a link that leaves the tree",
						(outside) -> CraftedArchives.empty().symlink("q", "../outside").directory("q/created", 0777),
						"lies under the symbolic link q"),
				hostile("a file written through a link to a directory outside",
						(outside) -> CraftedArchives.empty().symlink("q", "../outside").file("q/planted", "x", 0644),
						"lies under the symbolic link q"),
				hostile("a link declared after the entries that lie under it",
						(outside) -> CraftedArchives.empty().file("q/x", "x", 0644).symlink("q", "../outside"),
						"q is a symbolic link, but other entries lie under it"),
				hostile("a link that only escapes by passing through another link",
						(outside) -> CraftedArchives.empty()
							.directory("d1", 0755)
							.directory("d1/d2", 0755)
							.symlink("d1/d2/up", "../..")
							.symlink("d1/d2/x", "up/../outside"),
						"links through the symbolic link d1/d2/up"),
				hostile("a link climbing out with ..",
						(outside) -> CraftedArchives.empty().symlink("lib", "../outside"),
						"links outside the bundle: ../outside"),
				hostile("an absolute link target",
						(outside) -> CraftedArchives.empty().symlink("lib", outside.toAbsolutePath().toString()),
						"(an empty or absolute target)"),
				hostile("an absolute entry path",
						(outside) -> CraftedArchives.empty()
							.directory("ok", 0755)
							.file(outside.toAbsolutePath().resolve("planted").toString(), "x", 0644),
						"absolute"),
				hostile("a .. entry path",
						(outside) -> CraftedArchives.empty()
							.directory("ok", 0755)
							.file("../outside/planted", "x", 0644),
						"'..' segment"),
				hostile("a hard link to a file outside",
						(outside) -> CraftedArchives.empty()
							.directory("ok", 0755)
							.hardLink("ok/kept", outside.resolve("kept").toAbsolutePath().toString()),
						"is a hard link"),
				hostile("a hard link inside the tree",
						(outside) -> CraftedArchives.empty().file("a", "x", 0644).hardLink("b", "a"), "is a hard link"),
				hostile("a character device",
						(outside) -> CraftedArchives.empty().directory("dev", 0755).characterDevice("dev/mem", 1, 1),
						"is a device or FIFO"),
				hostile("a FIFO", (outside) -> CraftedArchives.empty().fifo("pipe"), "is a device or FIFO"),
				hostile("a duplicate file",
						(outside) -> CraftedArchives.empty()
							.file("LAUNCHER", "one", 0755)
							.file("LAUNCHER", "two", 0755),
						"LAUNCHER appears twice"));
	}

	private static Arguments hostile(String name, java.util.function.Function<Path, CraftedArchives> archive,
			String reason) {
		return Arguments.of(Named.of(name, archive), reason);
	}

	@ParameterizedTest
	@MethodSource("hostileArchives")
	void aHostileArchiveIsRefusedWithoutTouchingAnythingOutsideOrLeavingAnythingBehind(
			java.util.function.Function<Path, CraftedArchives> archive, String reason) throws IOException {
		CraftedArchives.Sentinel outside = CraftedArchives.Sentinel.create(this.temp.resolve("outside"));
		Path work = Files.createDirectories(this.temp.resolve("work"));
		Path into = work.resolve("bundle");
		byte[] bytes = archive.apply(outside.dir()).bytes();

		Throwable refusal = catchThrowable(() -> BundleArchive.extract(new ByteArrayInputStream(bytes), into));

		assertThat(outside.content()).as("nothing created outside").containsExactly("kept");
		assertThat(outside.currentMode()).as("the mode of the directory outside").isEqualTo(outside.mode());
		assertThat(outside.dir().resolve("kept")).hasContent("kept");
		try (var left = Files.list(work)) {
			assertThat(left).as("nothing left next to the target").isEmpty();
		}
		assertThat(refusal).isInstanceOf(BundleFormatException.class).hasMessageContaining(reason);
	}

	@Test
	void aRefusedArchiveLeavesAGivenEmptyTargetEmpty() throws IOException {
		Path into = Files.createDirectories(this.temp.resolve("given"));
		byte[] bytes = CraftedArchives.empty()
			.directory("v15", 0755)
			.file("v15/x", "x", 0644)
			.symlink("lib", "/usr/lib")
			.bytes();
		assertThatExceptionOfType(BundleFormatException.class)
			.isThrownBy(() -> BundleArchive.extract(new ByteArrayInputStream(bytes), into));
		assertThat(into).isEmptyDirectory();
	}

	@Test
	void linksAreCreatedEvenWhenTheyComeBeforeTheirTargetAndChainsOfLinksInsideWork() throws IOException {
		Path into = this.temp.resolve("out");
		byte[] bytes = CraftedArchives.empty()
			.symlink("lib/libfoo.so", "libfoo.so.1")
			.symlink("lib/libfoo.so.1", "libfoo.so.1.2")
			.file("lib/libfoo.so.1.2", "elf", 0755)
			.symlink("bin/foo", "../lib/libfoo.so")
			.bytes();
		BundleArchive.extract(new ByteArrayInputStream(bytes), into);
		assertThat(into.resolve("bin/foo")).hasContent("elf");
		assertThat(Files.readSymbolicLink(into.resolve("lib/libfoo.so"))).isEqualTo(Path.of("libfoo.so.1"));
	}

	private interface TarWriter {

		void write(TarArchiveOutputStream tar) throws IOException;

	}

	private static byte[] handMade(TarWriter writer) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new ZstdOutputStream(out))) {
			writer.write(tar);
		}
		return out.toByteArray();
	}

	private static void file(TarArchiveOutputStream tar, String name, String content) throws IOException {
		byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
		TarArchiveEntry entry = new TarArchiveEntry(name, true);
		entry.setSize(bytes.length);
		tar.putArchiveEntry(entry);
		tar.write(bytes);
		tar.closeArchiveEntry();
	}

}
