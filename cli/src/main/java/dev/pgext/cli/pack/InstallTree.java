package dev.pgext.cli.pack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

import dev.pgext.cli.exit.CliException;

/**
 * The files of one artifact by installation path ({@code share/extension/x.control},
 * {@code lib/x.so}), each with the local file that holds its content.
 *
 * @param files installation path to content, sorted by path
 * @param skipped files of the source that are not part of an artifact, with the reason
 */
public record InstallTree(SortedMap<String, Path> files, List<String> skipped) {

	public InstallTree {
		files = new TreeMap<>(files);
		skipped = List.copyOf(skipped);
	}

	/**
	 * A ready install tree: everything under {@code root/share} and {@code root/lib};
	 * anything else at the top (such as {@code bin/} or {@code include/}) is skipped with
	 * a note.
	 */
	public static InstallTree of(Path root) {
		if (!Files.isDirectory(root.resolve("share")) && !Files.isDirectory(root.resolve("lib"))) {
			throw CliException.local(root + " has neither share/ nor lib/; an install tree holds "
					+ "share/extension/<name>.control, share/extension/<name>--<version>.sql and lib/<name>.so");
		}
		SortedMap<String, Path> files = new TreeMap<>();
		List<String> skipped = new ArrayList<>();
		collect(root.resolve("share"), "share/", files, skipped);
		collect(root.resolve("lib"), "lib/", files, skipped);
		try (Stream<Path> top = Files.list(root)) {
			top.map((p) -> p.getFileName().toString())
				.filter((name) -> !name.equals("share") && !name.equals("lib"))
				.sorted()
				.forEach((name) -> skipped.add(name + ": not under share/ or lib/"));
		}
		catch (IOException ex) {
			throw CliException.local("cannot list " + root + ": " + CliException.describe(ex));
		}
		return new InstallTree(files, skipped);
	}

	/**
	 * What {@code make install DESTDIR=staging} put under {@code pg_config}'s
	 * directories: {@code <staging><sharedir>/...} becomes {@code share/...} and
	 * {@code <staging><pkglibdir>/...} becomes {@code lib/...}. JIT bitcode
	 * ({@code lib/bitcode/}) and anything elsewhere (headers) are skipped with a note.
	 */
	public static InstallTree ofStaging(Path staging, PgConfig pgConfig) {
		SortedMap<String, Path> files = new TreeMap<>();
		List<String> skipped = new ArrayList<>();
		Path share = under(staging, pgConfig.sharedir());
		Path lib = under(staging, pgConfig.pkglibdir());
		collect(share, "share/", files, skipped);
		collect(lib, "lib/", files, skipped);
		files.keySet().removeIf((path) -> {
			if (path.startsWith("lib/bitcode/")) {
				skipped.add(path + ": JIT bitcode is not published");
				return true;
			}
			return false;
		});
		try (Stream<Path> all = Files.walk(staging)) {
			all.filter((p) -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
				.filter((p) -> !p.startsWith(share) && !p.startsWith(lib))
				.forEach((p) -> skipped.add("/" + staging.relativize(p) + ": not under sharedir or pkglibdir"));
		}
		catch (IOException ex) {
			throw CliException.local("cannot list " + staging + ": " + CliException.describe(ex));
		}
		return new InstallTree(files, skipped);
	}

	private static Path under(Path staging, Path absolute) {
		return staging.resolve(absolute.getRoot().relativize(absolute));
	}

	private static void collect(Path dir, String prefix, Map<String, Path> files, List<String> skipped) {
		if (!Files.isDirectory(dir)) {
			return;
		}
		try (Stream<Path> all = Files.walk(dir)) {
			for (Path p : all.sorted().toList()) {
				String path = prefix + dir.relativize(p).toString().replace('\\', '/');
				if (Files.isSymbolicLink(p)) {
					skipped.add(path + ": a symbolic link (artifacts hold only regular files)");
				}
				else if (Files.isRegularFile(p)) {
					files.put(path, p);
				}
			}
		}
		catch (IOException ex) {
			throw CliException.local("cannot list " + dir + ": " + CliException.describe(ex));
		}
	}

	/** The sum of the files' sizes. */
	public long totalSize() {
		long total = 0;
		for (Path content : this.files.values()) {
			try {
				total += Files.size(content);
			}
			catch (IOException ex) {
				throw CliException.local("cannot read " + content + ": " + CliException.describe(ex));
			}
		}
		return total;
	}

}
