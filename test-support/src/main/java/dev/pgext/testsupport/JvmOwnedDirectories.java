package dev.pgext.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.stream.Stream;

import dev.pgext.model.place.FileTrees;

/**
 * Directories test JVMs keep side by side under one shared root, each named after the JVM
 * that owns it: {@code <prefix><pid>}, optionally followed by {@code -<anything>}.
 * Concurrent JVMs (surefire forks, parallel builds) never share one, and those of JVMs
 * that are gone (killed, crashed) are removed by the next JVM that asks.
 */
public final class JvmOwnedDirectories {

	private JvmOwnedDirectories() {
	}

	/**
	 * This JVM's path {@code root/<prefix><pid><rest>} (not created), after the root has
	 * been created and the directories of gone JVMs under it removed.
	 * @param rest empty, or starting with {@code -}
	 */
	public static synchronized Path own(Path root, String prefix, String rest) throws IOException {
		Files.createDirectories(root);
		removeThoseOfGoneJvms(root, prefix);
		return root.resolve(prefix + ProcessHandle.current().pid() + rest);
	}

	/**
	 * Removes every {@code <prefix><pid>[-…]} entry of {@code root} whose JVM no longer
	 * runs; other entries are left as they are.
	 */
	public static void removeThoseOfGoneJvms(Path root, String prefix) throws IOException {
		try (Stream<Path> entries = Files.list(root)) {
			for (Path entry : entries.toList()) {
				OptionalLong owner = owner(entry.getFileName().toString(), prefix);
				if (owner.isPresent() && ProcessHandle.of(owner.getAsLong()).isEmpty()) {
					try {
						FileTrees.delete(entry);
					}
					catch (IOException ex) {
						// another JVM removed it at the same moment, or the next one will
					}
				}
			}
		}
	}

	/** The pid a name carries after {@code prefix}, if it is one of these names. */
	static OptionalLong owner(String name, String prefix) {
		if (!name.startsWith(prefix)) {
			return OptionalLong.empty();
		}
		int start = prefix.length();
		int end = start;
		while (end < name.length() && Character.isDigit(name.charAt(end))) {
			end++;
		}
		if (end == start || end - start > 18 || (end < name.length() && name.charAt(end) != '-')) {
			return OptionalLong.empty();
		}
		return OptionalLong.of(Long.parseLong(name.substring(start, end)));
	}

}
