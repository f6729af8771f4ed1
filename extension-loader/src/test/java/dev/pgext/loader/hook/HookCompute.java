package dev.pgext.loader.hook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.springframework.test.context.DynamicPropertyRegistry;

import dev.pgext.loader.DataDirectories;
import dev.pgext.loader.TestStores;
import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.index.PreloadNeed;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.FreePorts;
import dev.pgext.testsupport.PostgresInstalls;
import dev.pgext.testsupport.TestBucket;
import dev.pgext.testsupport.TestInfrastructure;

/**
 * One compute of a Postgres major for the hook tests: a bucket holding real contrib
 * extensions of that major, an installation that lacks them, and the loader's properties
 * that start this installation with the {@code pgext_loader} hook built for the major
 * preloaded.
 * <p>
 * What each extension is for: {@code hstore}, {@code pg_trgm}, {@code tablefunc},
 * {@code btree_gin} and {@code isn} (trusted) are fetched, or refused to a role, by the
 * tests; {@code dblink} (not trusted) is available, so its control file is on disk, but
 * only a superuser may create it; {@code pgcrypto} is published but not available to this
 * compute; {@code citext} is available but published only after the compute started;
 * {@code auto_explain} is a library no extension names.
 */
final class HookCompute {

	static final List<String> PUBLISHED = List.of("pg_stat_statements", "hstore", "pg_trgm", "pgcrypto", "tablefunc",
			"btree_gin", "dblink", "isn");

	static final String LATER = "citext";

	private static final List<String> AVAILABLE = List.of("pg_stat_statements", "hstore", "pg_trgm", "auto_explain",
			"citext", "tablefunc", "btree_gin", "dblink", "isn");

	private static final List<HookCompute> prepared = new ArrayList<>();

	final PgMajor major;

	final TestBucket bucket;

	final Path root;

	final PostgresInstall install;

	final int loaderPort;

	final int postgresPort;

	private HookCompute(PgMajor major, TestBucket bucket, Path root, PostgresInstall install, int loaderPort,
			int postgresPort) {
		this.major = major;
		this.bucket = bucket;
		this.root = root;
		this.install = install;
		this.loaderPort = loaderPort;
		this.postgresPort = postgresPort;
	}

	/**
	 * Publishes the extensions, prepares the installation and registers the loader's
	 * properties. The loader listens on 127.0.0.1 only, so that its port refuses
	 * connections on {@code ::1}.
	 */
	static HookCompute prepare(int pgMajor, Class<?> testClass, DynamicPropertyRegistry registry) throws IOException {
		PgMajor major = PgMajor.of(pgMajor);
		Path hookLibrary = PgHookBuild.library(pgMajor);
		TestBucket bucket = TestInfrastructure.bucket(testClass);
		S3ObjectStore store = bucket.objectStore();
		ExtIndex contrib = TestStores.publish(store, Scope.PUBLIC, major, PUBLISHED);
		List<ExtIndexEntry> entries = new ArrayList<>(contrib.extensions());
		entries.add(libraryOnly(store, major, "auto_explain"));
		ExtIndex index = ExtIndex.of(major, null, entries);
		store.put(StoreLayout.extIndex(Scope.PUBLIC, major), ExtIndexJson.write(index), "application/json");
		// as the registry projects them: the compute starts from pg_stat_statements' own
		// document and reads the index after it is ready
		TestStores.putPreloadDocuments(store, index);

		Path root = Files.createTempDirectory("pgext-hook-" + pgMajor + "-");
		List<String> absent = new ArrayList<>(PUBLISHED);
		absent.add(LATER);
		PostgresInstall install = TestStores.computeInstall(root.resolve("install"), major, absent);
		Files.delete(install.pkglibdir().resolve("auto_explain.so"));
		DataDirectories.copy(major, root.resolve("data"));
		HookCompute compute = new HookCompute(major, bucket, root, install, FreePorts.any(), FreePorts.any());
		synchronized (HookCompute.class) {
			prepared.add(compute);
		}
		Path spec = root.resolve("spec.json");
		Files.writeString(spec, """
				{"pg_major": %d, "install_dir": "%s", "data_dir": "%s", "port": %d,
				 "shared_preload_libraries": ["pg_stat_statements"],
				 "available_extensions": [%s],
				 "settings": {"fsync": "off", "unix_socket_directories": ""}}
				""".formatted(pgMajor, install.root(), root.resolve("data"), compute.postgresPort,
				String.join(", ", AVAILABLE.stream().map((name) -> '"' + name + '"').toList())));
		registry.add("server.port", () -> compute.loaderPort);
		registry.add("server.address", () -> "127.0.0.1");
		registry.add("pgext.loader.spec-file", spec::toString);
		registry.add("pgext.loader.s3.endpoint", () -> bucket.endpoint().toString());
		registry.add("pgext.loader.s3.bucket", bucket::name);
		registry.add("pgext.loader.s3.access-key", bucket::accessKey);
		registry.add("pgext.loader.s3.secret-key", bucket::secretKey);
		registry.add("pgext.loader.prefetch", () -> "false");
		registry.add("pgext.loader.hook.library", hookLibrary::toString);
		registry.add("pgext.loader.hook.server", () -> "127.0.0.1:" + compute.loaderPort);
		registry.add("pgext.loader.index-refresh-interval", () -> "0s");
		return compute;
	}

	/**
	 * An index entry for a library that no extension's control file names, such as
	 * auto_explain.
	 */
	private static ExtIndexEntry libraryOnly(S3ObjectStore store, PgMajor major, String library) throws IOException {
		Path file = PostgresInstalls.shared(major.value()).pkglibdir().resolve(library + ".so");
		Sha256Digest digest = Sha256Digest.of(file);
		store.put(StoreLayout.blob(digest), file, "application/octet-stream");
		return new ExtIndexEntry(ExtensionName.of(library), ExtensionVersion.of(Integer.toString(major.value())), null,
				null, List.of(new ExtFile("lib/" + library + ".so", digest, Files.size(file))), List.of(library),
				List.of(), PreloadNeed.NONE, false, true);
	}

	/**
	 * A connection to the compute's Postgres as {@code role} (the superuser is
	 * {@code postgres}).
	 */
	Connection connect(String role) throws SQLException {
		return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + this.postgresPort + "/postgres", role, "");
	}

	Connection connect() throws SQLException {
		return connect("postgres");
	}

	/** Deletes the directories of every compute prepared so far. */
	static synchronized void deleteAll() throws IOException {
		for (HookCompute compute : prepared) {
			FileTrees.delete(compute.root);
		}
		prepared.clear();
	}

}
