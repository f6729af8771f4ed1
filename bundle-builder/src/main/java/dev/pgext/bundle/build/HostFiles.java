package dev.pgext.bundle.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import dev.pgext.bundle.archive.BundleManifest.HostFile;

/**
 * Every file a build copies from the build host into the bundle (the dynamic loader,
 * glibc and the other libraries the inputs lack, {@code /bin/sh}, {@code env},
 * {@code locale} and its data, gconv modules), each recorded with the host file it came
 * from, so that {@code bundle.json} can name its package and version.
 */
final class HostFiles {

	private final Path root;

	/** Bundle path to the real host path it was copied from. */
	private final Map<String, Path> copied = new TreeMap<>();

	/**
	 * @param root the staging root (the future chroot)
	 */
	HostFiles(Path root) {
		this.root = root;
	}

	/**
	 * Copies {@code source} (links followed) to {@code target} under the root and records
	 * it.
	 */
	Path copy(Path source, Path target) throws IOException {
		Files.createDirectories(target.getParent());
		Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
		this.copied.put(this.root.relativize(target).toString(), source.toRealPath());
		return target;
	}

	/** Copies {@code source} to the same absolute path inside the bundle. */
	Path copySamePath(Path source) throws IOException {
		return copy(source, this.root.resolve(source.toAbsolutePath().toString().substring(1)));
	}

	/**
	 * Copies the directory tree {@code dir} to the same absolute path inside the bundle.
	 */
	Path copyTreeSamePath(Path dir) throws IOException {
		Path target = this.root.resolve(dir.toAbsolutePath().toString().substring(1));
		try (Stream<Path> paths = Files.walk(dir)) {
			for (Path path : paths.sorted().toList()) {
				Path to = target.resolve(dir.relativize(path).toString());
				if (Files.isDirectory(path)) {
					Files.createDirectories(to);
				}
				else {
					copy(path, to);
				}
			}
		}
		return target;
	}

	/** What {@code bundle.json} says about each copied file, sorted by bundle path. */
	List<HostFile> describe(HostPackages packages) throws IOException {
		List<HostFile> files = new ArrayList<>();
		for (Map.Entry<String, Path> entry : this.copied.entrySet()) {
			Path source = entry.getValue();
			HostPackages.Package owner = packages.owner(source).orElse(null);
			files.add(new HostFile(entry.getKey(), source.toString(),
					(owner != null) ? owner.name() : HostFile.UNPACKAGED, (owner != null) ? owner.version() : null));
		}
		return files;
	}

}
