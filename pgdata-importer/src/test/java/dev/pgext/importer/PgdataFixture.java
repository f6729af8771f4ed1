package dev.pgext.importer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.gaul.s3proxy.blobstore.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.model.store.ObjectStoreSettings;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.EmbeddedS3Server;
import dev.pgext.testsupport.PostgresCluster;
import dev.pgext.testsupport.PostgresInstalls;
import dev.pgext.testsupport.TestBucket;

/**
 * A real PostgreSQL 15 data directory: tables with thousands of rows, an index, a TOASTed
 * value and a second database, stopped with a clean shutdown. Tests only read it, so it
 * is made once for every test JVM of the build directory (see {@link #pgdata()}).
 */
public final class PgdataFixture {

	/** Rows of {@code items} in database {@code postgres}. */
	public static final int ITEMS = 20000;

	/** Rows of {@code notes} in database {@code second}. */
	public static final int NOTES = 3000;

	/**
	 * Where {@link #uploadedOnce} puts the whole fixture in a bucket.
	 */
	public static final String FULL_PREFIX = "dumps/full";

	/** What the fixture's database {@code postgres} is given after {@code initdb}. */
	private static final List<String> POSTGRES = List.of(
			"CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty int)",
			"INSERT INTO items SELECT i, 'item ' || i, i % 97 FROM generate_series(1, " + ITEMS + ") i",
			"CREATE INDEX items_name ON items (name)", "CREATE TABLE blobs (id int PRIMARY KEY, body text)",
			// md5 text compresses badly, so the value stays large and goes to the TOAST
			// table
			"ALTER TABLE blobs ALTER COLUMN body SET STORAGE EXTERNAL",
			"INSERT INTO blobs SELECT 1, string_agg(md5(i::text), '') FROM generate_series(1, 20000) i",
			"VACUUM ANALYZE items", "CREATE DATABASE second");

	/** What the fixture's database {@code second} is given. */
	private static final List<String> SECOND = List.of("CREATE TABLE notes (id bigint PRIMARY KEY, note text)",
			"INSERT INTO notes SELECT i, repeat('n', i % 50) FROM generate_series(1, " + NOTES + ") i");

	private static final Logger log = LoggerFactory.getLogger(PgdataFixture.class);

	private static Path directory;

	private static final Set<String> FULLY_UPLOADED = new HashSet<>();

	private PgdataFixture() {
	}

	/**
	 * The stopped cluster's data directory, {@code target/pgdata-fixture-<key>/pgdata}.
	 * The key digests the installation and the statements that make the fixture, so a
	 * changed fixture is made anew. The test JVMs of a module (surefire forks) share it:
	 * the first makes it in a directory of its own and renames it into place, holding a
	 * file lock the others wait on; the directories of other keys are removed.
	 */
	public static synchronized Path pgdata() {
		if (directory == null) {
			directory = shared(Path.of("target").toAbsolutePath());
		}
		return directory;
	}

	private static Path shared(Path target) {
		PostgresInstall install = PostgresInstalls.shared(15);
		String key = Sha256Digest
			.of(String.join("\n", install.root().toString(), String.join("\n", POSTGRES), String.join("\n", SECOND))
				.getBytes(StandardCharsets.UTF_8))
			.hex()
			.substring(0, 16);
		Path made = target.resolve("pgdata-fixture-" + key);
		try {
			Files.createDirectories(target);
			try (FileChannel lockFile = FileChannel.open(target.resolve("pgdata-fixture.lock"),
					StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
				if (!Files.isDirectory(made)) {
					try (Stream<Path> old = Files.list(target)) {
						for (Path other : old.filter((p) -> p.getFileName().toString().startsWith("pgdata-fixture"))
							.filter(Files::isDirectory)
							.toList()) {
							FileTrees.delete(other);
						}
					}
					long start = System.nanoTime();
					Path building = target.resolve("pgdata-fixture-" + key + "-" + ProcessHandle.current().pid());
					create(install, building);
					Files.move(building, made, StandardCopyOption.ATOMIC_MOVE);
					log.info("PGDATA fixture made in {} ms", (System.nanoTime() - start) / 1_000_000);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return made.resolve("pgdata");
	}

	private static void create(PostgresInstall install, Path root) throws IOException {
		try {
			Files.createDirectories(root);
			PostgresCluster cluster = PostgresCluster.initdb(install, root.resolve("pgdata"));
			cluster.start(Map.of());
			try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement()) {
				for (String sql : POSTGRES) {
					s.execute(sql);
				}
			}
			try (Connection c = cluster.connect("second"); Statement s = c.createStatement()) {
				for (String sql : SECOND) {
					s.execute(sql);
				}
			}
			cluster.stop();
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Relative paths of every file of {@code pgdata}, sorted. */
	public static List<String> files(Path pgdata) {
		try (Stream<Path> walk = Files.walk(pgdata)) {
			return walk.filter(Files::isRegularFile).map((p) -> pgdata.relativize(p).toString()).sorted().toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The whole fixture under {@link #FULL_PREFIX} of {@code store}'s bucket, uploaded
	 * the first time a test of this JVM asks for it, with a {@code status/pgdata} that
	 * lists every file's size and SHA-256. Imports only read their input, so the test
	 * classes that import the whole fixture share this one upload (about 1,300 objects).
	 * @return the prefix
	 */
	public static String uploadedOnce(ObjectStore store) {
		synchronized (FULLY_UPLOADED) {
			if (!FULLY_UPLOADED.contains(store.bucket())) {
				Path pgdata = pgdata();
				long start = System.nanoTime();
				List<String> files = files(pgdata);
				putFiles(store, FULL_PREFIX, pgdata, files);
				markDone(store, FULL_PREFIX, pgdata, files);
				FULLY_UPLOADED.add(store.bucket());
				log.info("PGDATA fixture uploaded to {}/{}: {} files in {} ms", store.bucket(), FULL_PREFIX,
						files.size(), (System.nanoTime() - start) / 1_000_000);
			}
			return FULL_PREFIX;
		}
	}

	/**
	 * A store for {@code bucket} that tries a failed call again after 10 ms instead of
	 * the default 200 ms: the in-process endpoint now and then closes a kept-alive
	 * connection under the next request (a broken pipe), which the next attempt, on a new
	 * connection, gets through.
	 */
	public static S3ObjectStore uploader(TestBucket bucket) {
		ObjectStoreSettings settings = bucket.settings();
		return S3ObjectStore.create(new ObjectStoreSettings(settings.endpoint(), settings.region(), settings.bucket(),
				settings.accessKey(), settings.secretKey(), settings.pathStyle(), settings.maxAttempts(),
				Duration.ofMillis(10), settings.apiCallTimeout()));
	}

	/**
	 * Uploads {@code pgdata} under {@code <prefix>/pgdata/}, then writes
	 * {@code status/pgdata} last.
	 */
	public static void upload(ObjectStore store, String prefix, Path pgdata, List<String> only) {
		putFiles(store, prefix, pgdata, (only != null) ? only : files(pgdata));
		markDone(store, prefix);
	}

	/**
	 * Puts {@code files} of {@code pgdata} under {@code <prefix>/pgdata/}. Into an
	 * endpoint running in this JVM they go straight into its store (the same objects and
	 * ETags as uploads make, without a signed request per file: a whole fixture is about
	 * 1,300 files); elsewhere four uploads at a time.
	 */
	private static void putFiles(ObjectStore store, String prefix, Path pgdata, List<String> files) {
		Optional<BlobStore> embedded = embeddedStore(store);
		if (embedded.isPresent()) {
			for (String file : files) {
				putDirectly(embedded.get(), store.bucket(), prefix + "/pgdata/" + file, pgdata.resolve(file));
			}
			return;
		}
		ExecutorService pool = Executors.newFixedThreadPool(4);
		try {
			List<Future<?>> puts = new ArrayList<>();
			for (String file : files) {
				puts.add(pool.submit(() -> put(store, prefix + "/pgdata/" + file, pgdata.resolve(file))));
			}
			for (Future<?> put : puts) {
				put.get();
			}
		}
		catch (InterruptedException | ExecutionException ex) {
			throw new IllegalStateException("upload failed", ex);
		}
		finally {
			pool.shutdownNow();
		}
	}

	private static Optional<BlobStore> embeddedStore(ObjectStore store) {
		if (store instanceof S3ObjectStore s3) {
			return s3.client().serviceClientConfiguration().endpointOverride().flatMap(EmbeddedS3Server::storeAt);
		}
		return Optional.empty();
	}

	private static void putDirectly(BlobStore blobs, String bucket, String key, Path file) {
		try (InputStream content = Files.newInputStream(file)) {
			blobs.putBlob(PutObjectRequest.builder()
				.bucket(bucket)
				.key(key)
				.contentType("application/octet-stream")
				.contentLength(Files.size(file))
				.build(), content);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * One upload, tried again when the loaded in-process endpoint drops the connection.
	 */
	private static String put(ObjectStore store, String key, Path file) {
		for (int attempt = 1;; attempt++) {
			try {
				return store.put(key, file, "application/octet-stream");
			}
			catch (RuntimeException ex) {
				if (attempt == 3) {
					throw ex;
				}
			}
		}
	}

	/**
	 * {@code status/pgdata} saying done, with a list of {@code files} (path, size,
	 * sha256) of {@code pgdata}.
	 */
	public static void markDone(ObjectStore store, String prefix, Path pgdata, List<String> files) {
		StringBuilder json = new StringBuilder("{\"done\":true,\"files\":[");
		for (int i = 0; i < files.size(); i++) {
			try {
				byte[] bytes = Files.readAllBytes(pgdata.resolve(files.get(i)));
				json.append((i > 0) ? "," : "")
					.append("{\"path\":\"")
					.append(files.get(i))
					.append("\",\"size\":")
					.append(bytes.length)
					.append(",\"sha256\":\"")
					.append(Sha256Digest.of(bytes).hex())
					.append("\"}");
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		json.append("]}");
		store.put(prefix + "/status/pgdata", json.toString().getBytes(StandardCharsets.UTF_8), "application/json");
	}

	public static void markDone(ObjectStore store, String prefix) {
		store.put(prefix + "/status/pgdata", "{\"done\":true}".getBytes(StandardCharsets.UTF_8), "application/json");
	}

	/** Counts rows with the cluster started on {@code pgdata}. */
	public static long[] rowCounts(PostgresCluster cluster) throws SQLException {
		long[] counts = new long[3];
		try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement()) {
			counts[0] = single(s, "SELECT count(*) FROM items WHERE name LIKE 'item %'");
			counts[1] = single(s, "SELECT length(body) FROM blobs WHERE id = 1");
		}
		try (Connection c = cluster.connect("second"); Statement s = c.createStatement()) {
			counts[2] = single(s, "SELECT count(*) FROM notes");
		}
		return counts;
	}

	private static long single(Statement s, String sql) throws SQLException {
		try (ResultSet rs = s.executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

}
