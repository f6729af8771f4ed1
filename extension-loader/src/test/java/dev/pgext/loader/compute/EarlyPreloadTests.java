package dev.pgext.loader.compute;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.loader.TestStores;
import dev.pgext.loader.fetch.ExtensionSource;
import dev.pgext.loader.fetch.FetchException;
import dev.pgext.loader.fetch.IndexText;
import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.index.PreloadNeed;
import dev.pgext.model.place.FilePlacement;
import dev.pgext.model.postgres.PostgresInstall;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server-preload extensions' files are fetched while the index streams in, into
 * staged names Postgres never opens; only what the verified preload closure names, with
 * the same digest, gets its real name, and an index that is never verified leaves nothing
 * behind.
 */
class EarlyPreloadTests {

	private final Blobs blobs = new Blobs();

	@TempDir
	Path dir;

	private PostgresInstall install;

	private EarlyPreload early;

	@BeforeEach
	void emptyInstall() {
		this.install = TestStores.emptyInstall(this.dir.resolve("install"));
	}

	@Test
	void filesFetchedWhileTheIndexStreamsArePutInPlaceWhenTheVerifiedClosureNamesThem() throws IOException {
		// pre_lib requires zz_dep, which comes later in the document; other is not needed
		IndexText text = read(index(entry("other", "other", List.of()), entry("pre_lib", "pre_lib", List.of("zz_dep")),
				entry("zz_dep", "zz_dep", List.of())), early());
		try (EarlyPreload early = this.early) {
			int promoted = early.promote(List.of(text.entry("pre_lib"), text.entry("zz_dep")));

			assertThat(promoted).isEqualTo(2);
			for (String name : List.of("pre_lib", "zz_dep")) {
				ExtFile file = text.entry(name).files().get(0);
				assertThat(FilePlacement.hasContent(this.install.resolve(file.path()), file)).as(name).isTrue();
			}
			assertThat(this.blobs.opened).doesNotContainKey(text.entry("other").files().get(0).sha256());
		}
		assertThat(placedFiles()).hasSize(2);
	}

	@Test
	void onlyTheLibrariesAreFetchedEarlyTheScriptsFollowOnceItIsReady() throws IOException {
		byte[] script = "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
			.getBytes(StandardCharsets.UTF_8);
		Sha256Digest scriptDigest = Sha256Digest.of(script);
		this.blobs.content.put(scriptDigest, script);
		ExtIndexEntry library = entry("pre_lib", "pre_lib", List.of());
		List<ExtFile> files = new ArrayList<>(library.files());
		files.add(new ExtFile("share/extension/pre_lib--1.0.sql", scriptDigest, script.length));
		ExtIndexEntry withScript = new ExtIndexEntry(library.name(), library.version(), library.defaultVersion(), null,
				files, library.libraries(), library.requires(), library.preload(), false, true);

		IndexText text = read(index(withScript), early());
		try (EarlyPreload early = this.early) {
			assertThat(early.promote(List.of(text.entry("pre_lib")))).isEqualTo(1);
		}

		assertThat(this.blobs.opened).containsKey(library.files().get(0).sha256()).doesNotContainKey(scriptDigest);
		assertThat(placedFiles()).containsExactly(this.install.resolve("lib/pre_lib.so"));
	}

	@Test
	void aStagedFileTheVerifiedClosureNamesWithAnotherDigestIsDeletedNotPlaced() throws IOException {
		read(index(entry("pre_lib", "pre_lib", List.of())), early());
		// what the verified documents say (say, the tenant's entry of the same name)
		ExtIndexEntry verified = entry("pre_lib", "pre_lib, the tenant's build", List.of());
		try (EarlyPreload early = this.early) {
			assertThat(early.promote(List.of(verified))).isZero();
		}
		assertThat(placedFiles()).isEmpty();
	}

	@Test
	void anIndexThatIsNeverVerifiedLeavesNothingBehind() throws IOException {
		IndexText text = read(index(entry("pre_lib", "pre_lib", List.of())), early());
		this.early.close();

		assertThat(this.blobs.opened).containsKey(text.entry("pre_lib").files().get(0).sha256());
		assertThat(placedFiles()).isEmpty();
	}

	@Test
	void aFileWhoseEarlyFetchFailedIsLeftToTheUsualPlacement() throws IOException {
		byte[] index = index(entry("pre_lib", "pre_lib", List.of()));
		// the blob is not in the store (yet): the early fetch fails, and promote names
		// nothing
		this.blobs.content.clear();
		IndexText text = read(index, early());
		try (EarlyPreload early = this.early) {
			assertThat(early.promote(List.of(text.entry("pre_lib")))).isZero();
		}
		assertThat(this.blobs.opened).containsKey(text.entry("pre_lib").files().get(0).sha256());
		assertThat(placedFiles()).isEmpty();
	}

	private EarlyPreload early() {
		this.early = new EarlyPreload(TestComputes.placer(this.blobs, 1, new SimpleMeterRegistry()), this.install,
				List.of("pre_lib"), List.of(), 2);
		return this.early;
	}

	private static IndexText read(byte[] index, IndexText.EntryListener early) {
		return IndexText.read(new ByteArrayInputStream(index), index.length, early);
	}

	private static byte[] index(ExtIndexEntry... entries) {
		return ExtIndexJson.write(ExtIndex.of(PgMajor.of(15), null, new ArrayList<>(List.of(entries))));
	}

	/** An entry providing library {@code name}, whose one file holds {@code build}. */
	private ExtIndexEntry entry(String name, String build, List<String> requires) {
		byte[] content = ("library " + build + "\n").getBytes(StandardCharsets.UTF_8);
		Sha256Digest digest = Sha256Digest.of(content);
		this.blobs.content.put(digest, content);
		return new ExtIndexEntry(ExtensionName.of(name), ExtensionVersion.of("1.0"), "1.0", null,
				List.of(new ExtFile("lib/" + name + ".so", digest, content.length)), List.of(name), requires,
				PreloadNeed.SERVER, false, true);
	}

	/** Every regular file in the installation, part files included. */
	private List<Path> placedFiles() throws IOException {
		try (Stream<Path> files = Files.walk(this.install.root())) {
			return files.filter(Files::isRegularFile).toList();
		}
	}

	/** Blobs in memory, counting what is opened. */
	private static final class Blobs implements ExtensionSource {

		final Map<Sha256Digest, byte[]> content = new ConcurrentHashMap<>();

		final Map<Sha256Digest, Integer> opened = new ConcurrentHashMap<>();

		@Override
		public ExtIndex index(PgMajor major, TenantId tenant) {
			throw new UnsupportedOperationException("only blobs");
		}

		@Override
		public InputStream open(Sha256Digest digest) {
			this.opened.merge(digest, 1, Integer::sum);
			byte[] bytes = this.content.get(digest);
			if (bytes == null) {
				throw new FetchException(FetchException.Reason.MISSING, "no blob " + digest);
			}
			return new ByteArrayInputStream(bytes);
		}

		@Override
		public String name() {
			return "memory";
		}

	}

}
