package dev.pgext.loader.hook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;

import dev.pgext.loader.DataDirectories;
import dev.pgext.loader.LoaderProperties;
import dev.pgext.loader.TestStores;
import dev.pgext.loader.compute.Compute;
import dev.pgext.loader.compute.ComputeSpec;
import dev.pgext.loader.fetch.DeferredSync;
import dev.pgext.loader.fetch.FetchException;
import dev.pgext.loader.fetch.FilePlacer;
import dev.pgext.loader.fetch.S3ExtensionSource;
import dev.pgext.loader.trust.MetadataTrust;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.place.FilePlacement;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.model.signing.MetadataSigner;
import dev.pgext.model.signing.MetadataVerifier;
import dev.pgext.model.signing.SigningKey;
import dev.pgext.model.signing.TrustedKeys;
import dev.pgext.model.signing.VersionLedger;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.testsupport.FreePorts;
import dev.pgext.testsupport.RealInfrastructure;
import dev.pgext.testsupport.TestBucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * With the hook, a compute that preloads {@code pg_stat_statements} starts from its
 * signed per-library preload document and reads the whole index only after Postgres
 * accepts connections, over real S3 protocol with a real Postgres and the real hook. A
 * document that is tampered with, unsigned, expired, rolled back or signed by an unknown
 * key is refused with the index's reasons and metric, nothing in it is placed, and the
 * start falls back to the whole index; so does a missing one. A compute that preloads
 * nothing needs no index before it is ready, and an index that disagrees with the
 * documents the start placed from is reported while the compute keeps running.
 */
@RealInfrastructure
@HookMajor(15)
class PreloadDocumentsIntegrationTests {

	private static final List<String> PUBLISHED = List.of("pg_stat_statements", "hstore");

	private static final String INDEX_KEY = StoreLayout.extIndex(Scope.PUBLIC, TestStores.PG);

	private static final String DOCUMENT_KEY = StoreLayout.preloadDocument(Scope.PUBLIC, TestStores.PG,
			Platform.DEFAULT, "pg_stat_statements");

	private static final SigningKey KEY = SigningKey.generate();

	/** Every write signs a higher version than the one before. */
	private static final AtomicLong VERSIONS = new AtomicLong(1000);

	private static ObjectStore store;

	private static ExtIndex index;

	private static byte[] genuineIndex;

	private static byte[] genuineDocument;

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	@TempDir
	Path dir;

	@BeforeAll
	static void publish(TestBucket bucket) {
		store = bucket.objectStore();
		index = TestStores.publish(store, Scope.PUBLIC, PUBLISHED);
		genuineIndex = ExtIndexJson.write(index);
		genuineDocument = TestStores.preloadDocuments(index).get(DOCUMENT_KEY);
	}

	@BeforeEach
	void genuineSignedDocuments() {
		signed(INDEX_KEY, genuineIndex, Duration.ofDays(7));
		TestStores.preloadDocuments(index).forEach((key, content) -> signed(key, content, Duration.ofDays(7)));
	}

	@Test
	void aStartFromPreloadDocumentsReportsAnIndexThatDisagreesAndKeepsRunning() throws Exception {
		// a projection between the two reads: the index now names another release
		ExtIndexEntry statements = index.find("pg_stat_statements").orElseThrow();
		ExtIndexEntry newer = new ExtIndexEntry(statements.name(), ExtensionVersion.of("99.0"),
				statements.defaultVersion(), statements.control(), statements.files(), statements.libraries(),
				statements.requires(), statements.preload(), statements.trusted(), statements.superuser());
		signed(INDEX_KEY,
				ExtIndexJson
					.write(ExtIndex.of(TestStores.PG, null, List.of(newer, index.find("hstore").orElseThrow()))),
				Duration.ofDays(7));
		PostgresInstall install = install();
		Compute compute = compute(trusting(VersionLedger.inMemory()));
		try {
			compute.startAndWait(spec(install, List.of("pg_stat_statements")));

			assertThat(compute.isRunning()).as(String.valueOf(compute.status().problem())).isTrue();
			assertThat(compute.status().preloadFrom()).isEqualTo("documents");
			assertThat(librariesPlaced(install, statements)).isTrue();
			awaitPlaced(install, statements);
			try (Connection connection = connect(compute);
					Statement sql = connection.createStatement();
					ResultSet rows = sql.executeQuery("SHOW shared_preload_libraries")) {
				rows.next();
				assertThat(rows.getString(1)).contains("pg_stat_statements");
			}
			// the index is read after ready: every available extension is known, and
			// what differs from the documents is reported
			assertThat(compute.status().phaseMillis()).containsKey("index-deferred");
			assertThat(compute.status().extensions()).extracting((extension) -> extension.name())
				.containsExactlyInAnyOrderElementsOf(PUBLISHED);
			assertThat(compute.status().preloadMismatch()).contains("pg_stat_statements 99.0");
			assertThat(compute.isRunning()).isTrue();
			// what was placed keeps its release
			assertThat(compute.status().extensions())
				.filteredOn((extension) -> extension.name().equals("pg_stat_statements"))
				.singleElement()
				.satisfies((extension) -> assertThat(extension.version()).isEqualTo(statements.version().value()));
		}
		finally {
			compute.destroy();
		}
	}

	@Test
	void onlyThePreloadedLibrariesAreInPlaceBeforeLaunchAndTheScriptsFollowOnceItIsReady() throws Exception {
		onlyTheLibrariesAtReady("pg_stat_statements", List.of("pg_stat_statements"), List.of());
	}

	@Test
	void onlyTheSessionPreloadedLibrariesAreInPlaceWhenReadyAndTheScriptsFollow() throws Exception {
		onlyTheLibrariesAtReady("hstore", List.of(), List.of("hstore"));
	}

	/**
	 * Starts a compute that preloads {@code extension} and checks, at the moment it says
	 * it is ready, that its library is in place and its script is not; then the script
	 * follows and {@code CREATE EXTENSION} works.
	 */
	private void onlyTheLibrariesAtReady(String extension, List<String> serverPreload, List<String> sessionPreload)
			throws Exception {
		ExtIndexEntry entry = index.find(extension).orElseThrow();
		ExtFile library = file(entry, "lib/" + extension + ".so");
		ExtFile script = entry.files()
			.stream()
			.filter((file) -> file.path().endsWith(".sql"))
			.findFirst()
			.orElseThrow();
		PostgresInstall install = install();
		// what is on disk at the moment the compute says it is ready
		List<Boolean> atReady = new ArrayList<>();
		Compute compute = compute(trusting(VersionLedger.inMemory()), (event) -> {
			if (event instanceof AvailabilityChangeEvent<?> change
					&& change.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
				try {
					atReady.add(FilePlacement.hasContent(install.resolve(library.path()), library));
					atReady.add(Files.exists(install.resolve(script.path())));
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
		});
		try {
			compute.startAndWait(spec(install, serverPreload, sessionPreload));

			assertThat(compute.isRunning()).as(String.valueOf(compute.status().problem())).isTrue();
			assertThat(compute.status().preloadFrom()).isEqualTo("documents");
			assertThat(atReady).as("library in place, script in place, when ready").containsExactly(true, false);
			awaitPlaced(install, entry);
			try (Connection connection = connect(compute); Statement sql = connection.createStatement()) {
				sql.execute("CREATE EXTENSION " + extension);
			}
		}
		finally {
			compute.destroy();
		}
	}

	@Test
	void aPreloadFileInPlaceThatDoesNotMatchItsDigestIsReplacedBeforeLaunch() throws Exception {
		ExtIndexEntry statements = index.find("pg_stat_statements").orElseThrow();
		PostgresInstall install = install();
		FilePlacer placer = new FilePlacer(new S3ExtensionSource(store), null, null,
				FilePlacer.retry(2, Duration.ofMillis(10)), this.meters);
		statements.files().forEach((file) -> placer.place(file, install.resolve(file.path()), () -> false));
		// what a disk that lost writes, or anyone writing the installation, may leave: a
		// library of the same size but other bytes, a truncated script, garbage in the
		// control file (each a file this loader placed, not a link into the shared
		// installation)
		ExtFile library = file(statements, "lib/pg_stat_statements.so");
		Files.write(install.resolve(library.path()), new byte[(int) library.size()]);
		ExtFile script = file(statements, "share/extension/pg_stat_statements--1.4.sql");
		Files.write(install.resolve(script.path()),
				Arrays.copyOf(Files.readAllBytes(install.resolve(script.path())), (int) script.size() / 2));
		Files.writeString(install.resolve(control(statements).path()), "garbage");
		double downloaded = downloadedFiles();

		// Postgres refuses to start with a library that is not an ELF file, so a start
		// that succeeds has replaced it before launch
		Compute compute = compute(trusting(VersionLedger.inMemory()));
		try {
			compute.startAndWait(spec(install, List.of("pg_stat_statements")));

			assertThat(compute.isRunning()).as(String.valueOf(compute.status().problem())).isTrue();
			assertThat(librariesPlaced(install, statements)).isTrue();
			// the script follows once Postgres accepts connections
			awaitPlaced(install, statements);
			// the library and the script, and the control file unless the start rewrote
			// it from the document first; the intact files are kept
			assertThat(downloadedFiles() - downloaded).isBetween(2.0, 3.0);
			try (Connection connection = connect(compute); Statement sql = connection.createStatement()) {
				sql.execute("CREATE EXTENSION pg_stat_statements");
				try (ResultSet rows = sql.executeQuery("SELECT count(*) >= 0 FROM pg_stat_statements")) {
					rows.next();
					assertThat(rows.getBoolean(1)).isTrue();
				}
			}
		}
		finally {
			compute.destroy();
		}
	}

	@Test
	void thePreloadIsDurableAfterReadyAndAStartThatDiedBeforeThatIsCheckedByTheNextOne() throws Exception {
		ExtIndexEntry statements = index.find("pg_stat_statements").orElseThrow();
		PostgresInstall install = install();
		Path journal = install.sharedir().resolve(DeferredSync.JOURNAL);
		Compute first = compute(trusting(VersionLedger.inMemory()));
		try {
			first.startAndWait(spec(install, List.of("pg_stat_statements")));
			assertThat(first.isRunning()).as(String.valueOf(first.status().problem())).isTrue();
			// fsynced right after ready, and the journal that named the files removed
			await().atMost(Duration.ofMinutes(1))
				.untilAsserted(() -> assertThat(first.status().phaseMillis()).containsKey("deferred-sync"));
			assertThat(journal).doesNotExist();
		}
		finally {
			first.destroy();
		}

		// a loader killed after launch, before the deferred fsync, leaves the journal it
		// wrote before its first rename: the next start checks the files it names, and
		// finds them whole (only the machine going down loses page cache)
		DeferredSync.begin(install, List.of(statements), Runnable::run).awaitRecorded();
		double downloaded = downloadedFiles();
		start(install, List.of("pg_stat_statements"));
		assertThat(downloadedFiles()).isEqualTo(downloaded);
		await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(journal).doesNotExist());
		awaitPlaced(install, statements);

		// the machine went down as well: writes that had not reached the disk are lost
		// (an empty library, a script of zeros). The next start does not preload the
		// extension, yet removes every file of it before launch, so the hook finds it
		// missing and a JIT request places it whole
		DeferredSync.begin(install, List.of(statements), Runnable::run).awaitRecorded();
		ExtFile library = file(statements, "lib/pg_stat_statements.so");
		Files.write(install.resolve(library.path()), new byte[0]);
		ExtFile script = file(statements, "share/extension/pg_stat_statements--1.4.sql");
		Files.write(install.resolve(script.path()), new byte[(int) script.size()]);
		Compute next = compute(trusting(VersionLedger.inMemory()));
		try {
			next.startAndWait(spec(install, List.of()));

			assertThat(next.isRunning()).as(String.valueOf(next.status().problem())).isTrue();
			assertThat(journal).doesNotExist();
			assertThat(install.resolve(library.path())).doesNotExist();
			assertThat(install.resolve(script.path())).doesNotExist();
			next.placeNow("pg_stat_statements.control", false);
			assertThat(placed(install, statements)).isTrue();
			try (Connection connection = connect(next); Statement sql = connection.createStatement()) {
				sql.execute("CREATE EXTENSION pg_stat_statements");
			}
		}
		finally {
			next.destroy();
		}
	}

	@Test
	void aTamperedPreloadDocumentIsRefusedNothingInItIsPlacedAndTheStartReadsTheIndex() throws Exception {
		// whoever can write the bucket: a rewritten control file under its own digest and
		// a
		// document naming it, the document's signature left as it was
		ExtFile control = control(index.find("pg_stat_statements").orElseThrow());
		byte[] tampered = "comment = 'tampered'\ndefault_version = '1.10'\n".getBytes(StandardCharsets.UTF_8);
		store.put(StoreLayout.blob(Sha256Digest.of(tampered)), tampered, "application/octet-stream");
		store.put(DOCUMENT_KEY,
				new String(genuineDocument, StandardCharsets.UTF_8)
					.replace(control.sha256().hex(), Sha256Digest.of(tampered).hex())
					.replace("\"size\":" + control.size(), "\"size\":" + tampered.length)
					.getBytes(StandardCharsets.UTF_8),
				"application/json");
		MetadataTrust trust = trusting(VersionLedger.inMemory());
		PostgresInstall install = install();
		Compute compute = compute(trust);
		try {
			compute.startAndWait(spec(install, List.of("pg_stat_statements")));

			assertThat(compute.isRunning()).as(String.valueOf(compute.status().problem())).isTrue();
			assertThat(compute.status().preloadFrom()).isEqualTo("index");
			assertThat(FilePlacement.hasContent(install.resolve(control.path()), control)).isTrue();
			assertThat(rejected("bad-signature")).isEqualTo(1);
			assertThat(trust.rejections()).extracting(MetadataTrust.Rejection::document).containsExactly(DOCUMENT_KEY);
		}
		finally {
			compute.destroy();
		}
	}

	@Test
	void aMissingPreloadDocumentFallsBackToTheIndexAndTheStartSucceeds() throws Exception {
		store.delete(DOCUMENT_KEY);
		store.delete(DOCUMENT_KEY + MetadataSignature.SUFFIX);
		PostgresInstall install = install();
		Compute compute = compute(trusting(VersionLedger.inMemory()));
		try {
			compute.startAndWait(spec(install, List.of("pg_stat_statements")));

			assertThat(compute.isRunning()).as(String.valueOf(compute.status().problem())).isTrue();
			assertThat(compute.status().preloadFrom()).isEqualTo("index");
			assertThat(librariesPlaced(install, index.find("pg_stat_statements").orElseThrow())).isTrue();
			awaitPlaced(install, index.find("pg_stat_statements").orElseThrow());
			assertThat(this.meters.find("pgext.loader.metadata.rejected").counters())
				.allSatisfy((counter) -> assertThat(counter.count()).isZero());
		}
		finally {
			compute.destroy();
		}
	}

	@Test
	void aComputeThatPreloadsNothingNeedsNoIndexBeforeItIsReady() throws Exception {
		// an index the loader refuses: read before launch, it would fail the start
		store.put(INDEX_KEY, genuineIndex, "application/json");
		store.delete(INDEX_KEY + MetadataSignature.SUFFIX);
		Compute compute = compute(trusting(VersionLedger.inMemory()));
		try {
			compute.startAndWait(spec(install(), List.of()));

			assertThat(compute.isRunning()).as(String.valueOf(compute.status().problem())).isTrue();
			assertThat(compute.status().preloadFrom()).isEqualTo("none");
			// read after ready and refused: the compute runs, what it would place is not
			assertThat(rejected("unsigned")).isEqualTo(1);
			assertThatExceptionOfType(FetchException.class).isThrownBy(() -> compute.placeNow("hstore", false))
				.withMessageContaining("refusing " + INDEX_KEY);
			assertThat(compute.isRunning()).isTrue();
		}
		finally {
			compute.destroy();
		}
	}

	@Test
	void anUnsignedExpiredRolledBackOrUnknownKeyPreloadDocumentIsRefusedWithItsReason() {
		S3ExtensionSource source = new S3ExtensionSource(store, Platform.DEFAULT, trusting(VersionLedger.inMemory()));
		assertThat(source.preloadIndex(TestStores.PG, null, List.of("$libdir/pg_stat_statements.so"))).isPresent();

		// unsigned
		store.delete(DOCUMENT_KEY + MetadataSignature.SUFFIX);
		assertThat(source.preloadIndex(TestStores.PG, null, List.of("pg_stat_statements"))).isEmpty();
		assertThat(rejected("unsigned")).isEqualTo(1);
		// signed by a key the loader does not trust
		store.put(DOCUMENT_KEY + MetadataSignature.SUFFIX,
				new MetadataSigner(SigningKey.generate(), Clock.systemUTC())
					.sign(DOCUMENT_KEY, genuineDocument, VERSIONS.incrementAndGet(), Duration.ofDays(7))
					.toJson(),
				"application/json");
		assertThat(source.preloadIndex(TestStores.PG, null, List.of("pg_stat_statements"))).isEmpty();
		assertThat(rejected("unknown-key")).isEqualTo(1);
		// expired: read a week and a day after it was signed for a week
		signed(DOCUMENT_KEY, genuineDocument, Duration.ofDays(7));
		S3ExtensionSource aWeekLater = new S3ExtensionSource(store, Platform.DEFAULT,
				new MetadataTrust(new MetadataVerifier(TrustedKeys.of(List.of(KEY.publicKey())), true,
						VersionLedger.inMemory(), Clock.fixed(Instant.now().plus(Duration.ofDays(8)), ZoneOffset.UTC)),
						this.meters));
		assertThat(aWeekLater.preloadIndex(TestStores.PG, null, List.of("pg_stat_statements"))).isEmpty();
		assertThat(rejected("expired")).isEqualTo(1);
		// an older signed document put back after a newer one was seen
		signed(DOCUMENT_KEY, genuineDocument, Duration.ofDays(7));
		assertThat(source.preloadIndex(TestStores.PG, null, List.of("pg_stat_statements"))).isPresent();
		store.put(DOCUMENT_KEY + MetadataSignature.SUFFIX,
				new MetadataSigner(KEY, Clock.systemUTC()).sign(DOCUMENT_KEY, genuineDocument, 1, Duration.ofDays(7))
					.toJson(),
				"application/json");
		assertThat(source.preloadIndex(TestStores.PG, null, List.of("pg_stat_statements"))).isEmpty();
		assertThat(rejected("rollback")).isEqualTo(1);
	}

	/** Starts and stops a compute that preloads {@code preload}. */
	private void start(PostgresInstall install, List<String> preload) throws Exception {
		Compute compute = compute(trusting(VersionLedger.inMemory()));
		try {
			compute.startAndWait(spec(install, preload));
			assertThat(compute.isRunning()).as(String.valueOf(compute.status().problem())).isTrue();
		}
		finally {
			compute.destroy();
		}
	}

	private double downloadedFiles() {
		return this.meters.counter("pgext.loader.download.files", "source", "s3").count();
	}

	private static ExtFile file(ExtIndexEntry entry, String path) {
		return entry.files().stream().filter((file) -> file.path().equals(path)).findFirst().orElseThrow();
	}

	private static void signed(String key, byte[] content, Duration validity) {
		store.put(key, content, "application/json");
		store.put(key + MetadataSignature.SUFFIX,
				new MetadataSigner(KEY, Clock.systemUTC()).sign(key, content, VERSIONS.incrementAndGet(), validity)
					.toJson(),
				"application/json");
	}

	private MetadataTrust trusting(VersionLedger ledger) {
		return new MetadataTrust(
				new MetadataVerifier(TrustedKeys.of(List.of(KEY.publicKey())), true, ledger, Clock.systemUTC()),
				this.meters);
	}

	private Compute compute(MetadataTrust trust) {
		return compute(trust, (event) -> {
		});
	}

	private Compute compute(MetadataTrust trust, ApplicationEventPublisher events) {
		S3ExtensionSource source = new S3ExtensionSource(store, Platform.DEFAULT, trust);
		LoaderProperties properties = LoaderProperties.defaults()
			.withWorkers(2, false)
			.withHook(PgHookBuild.library(15), "127.0.0.1:" + FreePorts.any());
		return new Compute(properties, source,
				new FilePlacer(source, null, null, FilePlacer.retry(2, Duration.ofMillis(10)), this.meters),
				this.meters, events);
	}

	private PostgresInstall install() {
		return TestStores.computeInstall(this.dir.resolve("install"), PUBLISHED);
	}

	/**
	 * A compute on this test's data directory, a copy of the shared initialised cluster
	 * made before the first start: these tests are about what is placed before launch and
	 * after ready, not about {@code initdb}.
	 */
	private ComputeSpec spec(PostgresInstall install, List<String> preload) {
		return spec(install, preload, List.of());
	}

	private ComputeSpec spec(PostgresInstall install, List<String> preload, List<String> sessionPreload) {
		Path data = this.dir.resolve("data");
		if (!Files.exists(data)) {
			DataDirectories.copy(PgMajor.of(15), data);
		}
		return new ComputeSpec(null, 15, install.root().toString(), data.toString(), FreePorts.any(), preload,
				sessionPreload, PUBLISHED, Map.of("fsync", "off", "unix_socket_directories", ""));
	}

	private static Connection connect(Compute compute) throws Exception {
		return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + compute.port() + "/postgres", "postgres",
				"");
	}

	private double rejected(String reason) {
		return this.meters.counter("pgext.loader.metadata.rejected", "reason", reason).count();
	}

	/**
	 * Whether the files of {@code entry} under {@code $libdir} are in place: what
	 * Postgres needs to start with it preloaded.
	 */
	private static boolean librariesPlaced(PostgresInstall install, ExtIndexEntry entry) throws IOException {
		for (ExtFile file : entry.files()) {
			if (file.isLibrary() && !FilePlacement.hasContent(install.resolve(file.path()), file)) {
				return false;
			}
		}
		return true;
	}

	/** The rest of a preloaded extension follows once Postgres accepts connections. */
	private static void awaitPlaced(PostgresInstall install, ExtIndexEntry entry) {
		await("every file of " + entry.name().value()).atMost(Duration.ofMinutes(1))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> placed(install, entry));
	}

	private static boolean placed(PostgresInstall install, ExtIndexEntry entry) throws IOException {
		for (ExtFile file : entry.files()) {
			if (!FilePlacement.hasContent(install.resolve(file.path()), file)) {
				return false;
			}
		}
		return true;
	}

	private static ExtFile control(ExtIndexEntry entry) {
		return entry.files().stream().filter((file) -> file.path().endsWith(".control")).findFirst().orElseThrow();
	}

}
