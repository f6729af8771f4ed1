package dev.pgext.loader.fetch;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.pgext.model.PgMajor;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.store.ObjectStoreSettings;
import dev.pgext.model.store.S3ObjectStore;

/**
 * A loader process that places every file of a store's public index at a crawl (10
 * KiB/s), so that a test can kill it in the middle of a download. Arguments: endpoint,
 * bucket, access key, secret key, installation directory, and optionally
 * {@code side-by-side}: each extension's files placed side by side on 4 threads, as
 * preload and JIT requests are.
 */
public final class SlowLoaderMain {

	private SlowLoaderMain() {
	}

	public static void main(String[] args) {
		ObjectStoreSettings settings = ObjectStoreSettings.of(URI.create(args[0]), args[1], args[2], args[3]);
		ExtensionSource source = new S3ExtensionSource(S3ObjectStore.create(settings));
		PostgresInstall install = new PostgresInstall(Path.of(args[4]));
		FilePlacer placer = new FilePlacer(source, null, BandwidthLimiter.of(10 * 1024),
				FilePlacer.retry(3, Duration.ofMillis(50)), new SimpleMeterRegistry());
		ExtIndex index = source.index(PgMajor.of(15), null);
		if (args.length > 5 && args[5].equals("side-by-side")) {
			ExecutorService parallel = Executors.newFixedThreadPool(4);
			for (ExtIndexEntry entry : index.extensions()) {
				placer.placeAll(entry.files(), install::resolve, () -> true, parallel);
			}
			parallel.shutdown();
			return;
		}
		for (ExtIndexEntry entry : index.extensions()) {
			for (ExtFile file : entry.files()) {
				placer.place(file, install.resolve(file.path()), () -> true);
			}
		}
	}

}
