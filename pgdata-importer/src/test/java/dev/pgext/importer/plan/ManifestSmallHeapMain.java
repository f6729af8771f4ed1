package dev.pgext.importer.plan;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run by {@link ManifestTests} in a JVM with a small heap: freezes a listing of N
 * relation files, reads the stored file back and walks it twice, printing counts and
 * digests.
 */
final class ManifestSmallHeapMain {

	private ManifestSmallHeapMain() {
	}

	public static void main(String[] args) {
		Path file = Path.of(args[0]);
		int files = Integer.parseInt(args[1]);
		Manifest.Writer writer = Manifest.writer(file);
		for (int i = 0; i < files; i++) {
			// zero-padded so that numeric and path order agree
			writer.add(new ManifestEntry(String.format("base/5/%010d", 16384 + i), 8192,
					"0123456789abcdef0123456789abcdef"));
		}
		Manifest written = writer.finish();
		Manifest read = Manifest.read(file);
		AtomicLong first = new AtomicLong();
		AtomicLong second = new AtomicLong();
		read.files().forEach((e) -> first.incrementAndGet());
		read.files().forEach((e) -> second.incrementAndGet());
		System.out.println("files " + read.count() + " walked " + first.get() + " " + second.get());
		System.out.println("digests " + written.digest().hex() + " " + read.digest().hex());
	}

}
