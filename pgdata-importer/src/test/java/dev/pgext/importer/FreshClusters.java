package dev.pgext.importer;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.pgext.model.place.FileTrees;
import dev.pgext.model.place.JvmOwnedDirectories;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.testsupport.PostgresCluster;
import dev.pgext.testsupport.PostgresInstalls;

/**
 * Data directories just made by a real {@code initdb} of a major
 * ({@code -U postgres --auth=trust --no-sync}, never started), one per major and test JVM
 * under {@code target/fresh-clusters/<pid>-<major>}: the tests that read them (control
 * files, relation maps, pages with and without data checksums; PostgreSQL 18's
 * {@code initdb} turns data checksums on by default) share them instead of each running
 * {@code initdb} of its own. Those of JVMs that are gone are removed.
 */
public final class FreshClusters {

	private static final Map<Integer, CompletableFuture<Path>> MADE = new HashMap<>();

	private FreshClusters() {
	}

	/**
	 * Starts {@code initdb} of {@code major} in a thread of its own unless this JVM has
	 * started it already; several majors' run side by side.
	 */
	public static synchronized CompletableFuture<Path> start(int major) {
		return MADE.computeIfAbsent(major, (m) -> {
			CompletableFuture<Path> made = new CompletableFuture<>();
			Thread thread = new Thread(() -> {
				try {
					made.complete(initdb(m));
				}
				catch (Throwable ex) {
					made.completeExceptionally(ex);
				}
			}, "initdb-" + m);
			thread.setDaemon(true);
			thread.start();
			return made;
		});
	}

	/** The data directory of {@code major}, made first if needed. */
	public static Path of(int major) throws Exception {
		return start(major).get(2, TimeUnit.MINUTES);
	}

	private static Path initdb(int major) throws IOException {
		Path pgdata = JvmOwnedDirectories.own(Path.of("target", "fresh-clusters").toAbsolutePath(), "", "-" + major);
		FileTrees.delete(pgdata);
		PostgresInstall install = PostgresInstalls.shared(major);
		PostgresCluster.run(List.of(install.binary("initdb").toString(), "-D", pgdata.toString(), "-U", "postgres",
				"--auth=trust", "--no-sync"), Duration.ofMinutes(2));
		return pgdata;
	}

}
