package dev.pgext.loader.fetch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.PreloadNeed;
import dev.pgext.model.postgres.PostgresInstall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The journal of files renamed into place without fsync: durable before any such rename,
 * removed once they are synced, and what a start finds of it decides which files stay.
 */
class DeferredSyncTests {

	@TempDir
	Path root;

	private PostgresInstall install;

	private ExtIndexEntry alpha;

	private ExtIndexEntry beta;

	@BeforeEach
	void installation() throws IOException {
		Files.createDirectories(this.root.resolve("share/extension"));
		Files.createDirectories(this.root.resolve("lib"));
		this.install = new PostgresInstall(this.root);
		this.alpha = entry("alpha");
		this.beta = entry("beta");
	}

	@Test
	void theJournalIsDurableBeforeAnyRenameAndRemovedOnceTheFilesAreSynced() throws IOException {
		DeferredSync sync = DeferredSync.begin(this.install, List.of(this.alpha), Runnable::run);
		sync.awaitRecorded();
		assertThat(journal()).content(StandardCharsets.UTF_8).contains("share/extension/alpha.control", "lib/alpha.so");
		this.alpha.files().forEach((file) -> sync.renamed(this.install.resolve(file.path())));

		assertThat(sync.complete()).isEqualTo(2);
		assertThat(journal()).doesNotExist();
	}

	@Test
	void theWaitBeforeTheFirstRenameFailsWhenTheJournalCannotBeWritten() throws IOException {
		Files.createDirectories(journal());
		DeferredSync sync = DeferredSync.begin(this.install, List.of(this.alpha), Runnable::run);

		assertThatExceptionOfType(FetchException.class).isThrownBy(sync::awaitRecorded)
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(FetchException.Reason.LOCAL_IO));
	}

	@Test
	void aStartThatFindsTheJournalRemovesEveryFileOfAnExtensionWithALostWriteAndKeepsTheOthers() throws IOException {
		DeferredSync.begin(this.install, List.of(this.alpha, this.beta), Runnable::run).awaitRecorded();
		// the machine went down before the deferred fsync: alpha's library lost its
		// content
		Files.write(this.install.resolve("lib/alpha.so"), new byte[0]);

		assertThat(DeferredSync.recover(this.install)).containsExactly("alpha");
		assertThat(this.install.resolve("lib/alpha.so")).doesNotExist();
		assertThat(this.install.resolve("share/extension/alpha.control")).doesNotExist();
		assertThat(this.install.resolve("lib/beta.so")).hasContent("library of beta");
		assertThat(this.install.resolve("share/extension/beta.control")).hasContent("control of beta");
		assertThat(journal()).doesNotExist();
		assertThat(DeferredSync.recover(this.install)).isEmpty();
	}

	@Test
	void aJournalWhoseFilesAreWholeOnlySyncsThemAndIsRemoved() throws IOException {
		DeferredSync.begin(this.install, List.of(this.alpha, this.beta), Runnable::run).awaitRecorded();

		assertThat(DeferredSync.recover(this.install)).isEmpty();
		assertThat(this.install.resolve("lib/alpha.so")).hasContent("library of alpha");
		assertThat(journal()).doesNotExist();
	}

	@Test
	void anUnreadableJournalIsRemovedAndNoFileIsTouched() throws IOException {
		Files.writeString(journal(), "{\"extensions\": [");

		assertThat(DeferredSync.recover(this.install)).isEmpty();
		assertThat(journal()).doesNotExist();
		assertThat(this.install.resolve("lib/alpha.so")).hasContent("library of alpha");
	}

	private Path journal() {
		return this.install.sharedir().resolve(DeferredSync.JOURNAL);
	}

	/** An extension whose control file and library are in place. */
	private ExtIndexEntry entry(String name) throws IOException {
		ExtFile control = write("share/extension/" + name + ".control", "control of " + name);
		ExtFile library = write("lib/" + name + ".so", "library of " + name);
		return new ExtIndexEntry(ExtensionName.of(name), ExtensionVersion.of("1.0"), "1.0", "control of " + name,
				List.of(control, library), List.of(name), List.of(), PreloadNeed.SERVER, false, true);
	}

	private ExtFile write(String path, String content) throws IOException {
		byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
		Files.write(this.install.resolve(path), bytes);
		return new ExtFile(path, Sha256Digest.of(bytes), bytes.length);
	}

}
