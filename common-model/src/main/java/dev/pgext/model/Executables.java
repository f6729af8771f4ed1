package dev.pgext.model;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Programs of this machine found the way a shell finds them: the first executable file of
 * that name in a directory of {@code PATH} ({@code /usr/bin:/bin} when it is not set).
 */
public final class Executables {

	private Executables() {
	}

	/**
	 * The first of {@code names} found on the path, each name looked for in every
	 * directory before the next name.
	 */
	public static Optional<Path> onPath(String... names) {
		String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
		return Stream.of(names)
			.flatMap((name) -> Stream.of(path.split(File.pathSeparator))
				.filter((dir) -> !dir.isEmpty())
				.map((dir) -> Path.of(dir, name)))
			.filter(Files::isExecutable)
			.findFirst();
	}

}
