package dev.pgext.testsupport;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The start of a command line for a JVM a test runs as a child process (a service, a
 * program that is killed or runs out of memory): this JVM's {@code java}, the
 * {@code -XX:} options this JVM runs with (the build's {@code argLine}: C1 only, the
 * serial collector, no verification of classes off the boot class path), its temporary
 * directory and this JVM's class path. A child JVM started with the JVM's defaults
 * instead compiles with C2 and collects with G1's threads, which cost more CPU than they
 * save in a process that lives seconds.
 */
public final class ChildJvm {

	private ChildJvm() {
	}

	/**
	 * {@code java}, this JVM's {@code -XX:} options, {@code jvmOptions}, then {@code -cp}
	 * with this JVM's class path; the caller adds the main class and its arguments.
	 */
	public static List<String> command(String... jvmOptions) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(inheritedOptions());
		// the same temporary directory: where the build puts the tests' files, and where
		// JVMs side by side find each other's port reservations (FreePorts)
		command.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
		command.addAll(List.of(jvmOptions));
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		return command;
	}

	/** The {@code -XX:} options this JVM was started with. */
	static List<String> inheritedOptions() {
		return ManagementFactory.getRuntimeMXBean()
			.getInputArguments()
			.stream()
			.filter((argument) -> argument.startsWith("-XX:"))
			.toList();
	}

}
