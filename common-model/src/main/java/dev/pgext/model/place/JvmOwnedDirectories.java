package dev.pgext.model.place;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Work directories and files that JVMs keep side by side under one shared root, each
 * named after the JVM that owns it: {@code <prefix><pid>}, optionally followed by
 * {@code -<anything>}. Concurrent JVMs (surefire forks, parallel builds, two commands at
 * once) never share one, and those of JVMs that are gone (killed, crashed) are removed by
 * the next JVM that asks: a run killed part-way leaves nothing behind for good.
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
	 * @return the entries removed
	 */
	public static List<Path> removeThoseOfGoneJvms(Path root, String prefix) throws IOException {
		return removeThoseOfGoneJvms(root, prefix, (entry) -> {
		});
	}

	/**
	 * As {@link #removeThoseOfGoneJvms(Path, String)}, {@code before} called with each
	 * such entry before it is removed (to stop what still runs in it).
	 */
	public static List<Path> removeThoseOfGoneJvms(Path root, String prefix, Consumer<Path> before) throws IOException {
		List<Path> removed = new ArrayList<>();
		try (Stream<Path> entries = Files.list(root)) {
			for (Path entry : entries.toList()) {
				OptionalLong owner = owner(entry.getFileName().toString(), prefix);
				if (owner.isPresent() && ProcessHandle.of(owner.getAsLong()).isEmpty()) {
					before.accept(entry);
					try {
						FileTrees.delete(entry);
						removed.add(entry);
					}
					catch (IOException ex) {
						// another JVM removed it at the same moment, or the next one will
					}
				}
			}
		}
		return removed;
	}

	/**
	 * {@code <prefix><this JVM's pid>-}, the prefix of a temporary entry this JVM owns.
	 */
	public static String ownPrefix(String prefix) {
		return prefix + ProcessHandle.current().pid() + "-";
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
