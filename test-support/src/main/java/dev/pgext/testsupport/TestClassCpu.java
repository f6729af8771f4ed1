package dev.pgext.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Records what each test class costs in CPU time, for the report at the end of a build
 * (build-report's {@code SlowestTestClasses}): on two cores a build is bound by CPU, not
 * by any one class's wall time. A JUnit Platform listener, registered in
 * {@code META-INF/services} for every test JVM with test-support on its class path. When
 * a test class starts and ends it reads the process's CPU time from
 * {@code /proc/self/stat}: its own threads', and that of the child processes it waited
 * for (child JVMs, {@code initdb}, {@code cp}, Postgres servers it started and stopped;
 * not servers that detached from it). It appends one tab-separated line per class to
 * {@code target/test-cpu/<pid>.tsv} under the working directory (the module's, under
 * Surefire): the class, its own and its children's CPU seconds, whether another class ran
 * in the same JVM meanwhile (then both figures include that class's work), and the JVM's
 * totals so far. Nothing is written where there is no {@code target} directory or no
 * {@code /proc}.
 */
public final class TestClassCpu implements TestExecutionListener {

	/** Where the lines go, under the working directory. */
	public static final String DIRECTORY = "target/test-cpu";

	private static final Path STAT = Path.of("/proc/self/stat");

	/** {@code /proc} counts CPU time in ticks of 1/100 s (USER_HZ) on Linux. */
	private static final double TICKS_PER_SECOND = 100.0;

	private final Path file;

	private final Map<String, Running> running = new HashMap<>();

	public TestClassCpu() {
		this(Path.of(System.getProperty("user.dir")));
	}

	TestClassCpu(Path workingDirectory) {
		Path target = workingDirectory.resolve("target");
		this.file = (Files.isDirectory(target) && Files.isReadable(STAT))
				? workingDirectory.resolve(DIRECTORY).resolve(ProcessHandle.current().pid() + ".tsv") : null;
	}

	@Override
	public void executionStarted(TestIdentifier identifier) {
		Optional<String> name = testClass(identifier);
		if (this.file == null || name.isEmpty()) {
			return;
		}
		Times now = Times.read();
		if (now == null) {
			return;
		}
		synchronized (this.running) {
			boolean beside = !this.running.isEmpty();
			this.running.values().forEach((other) -> other.shared = other.shared || beside);
			this.running.put(identifier.getUniqueId(), new Running(name.get(), now, beside));
		}
	}

	@Override
	public void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
		if (this.file == null || testClass(identifier).isEmpty()) {
			return;
		}
		Times now = Times.read();
		Running started;
		synchronized (this.running) {
			started = this.running.remove(identifier.getUniqueId());
		}
		if (started == null || now == null) {
			return;
		}
		String line = String.format(Locale.ROOT, "%s\t%.2f\t%.2f\t%s\t%.2f\t%.2f%n", started.name,
				(now.own - started.at.own) / TICKS_PER_SECOND, (now.children - started.at.children) / TICKS_PER_SECOND,
				started.shared ? "shared" : "alone", now.own / TICKS_PER_SECOND, now.children / TICKS_PER_SECOND);
		synchronized (this.running) {
			try {
				Files.createDirectories(this.file.getParent());
				Files.writeString(this.file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
						StandardOpenOption.APPEND);
			}
			catch (IOException ex) {
				// a report, not a test: the build goes on without this line
			}
		}
	}

	private static Optional<String> testClass(TestIdentifier identifier) {
		return identifier.getSource()
			.filter(ClassSource.class::isInstance)
			.map((source) -> ((ClassSource) source).getClassName());
	}

	private static final class Running {

		final String name;

		final Times at;

		boolean shared;

		Running(String name, Times at, boolean shared) {
			this.name = name;
			this.at = at;
			this.shared = shared;
		}

	}

	/** This process's CPU ticks: its own threads' and its waited-for children's. */
	record Times(long own, long children) {

		/** Null when {@code /proc/self/stat} cannot be read or parsed: no line then. */
		static Times read() {
			try {
				return parse(Files.readString(STAT));
			}
			catch (IOException | RuntimeException ex) {
				return null;
			}
		}

		/**
		 * The fields after the command name, which is in parentheses and may hold spaces:
		 * utime, stime, cutime and cstime are the 14th to 17th of the line.
		 */
		static Times parse(String stat) {
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
			return new Times(Long.parseLong(fields[11]) + Long.parseLong(fields[12]),
					Long.parseLong(fields[13]) + Long.parseLong(fields[14]));
		}

	}

}
