package dev.pgext.buildreport;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Prints the slowest test classes of a build and each module's test time, read from the
 * Surefire reports ({@code target/surefire-reports/TEST-*.xml}) of every module under a
 * root directory, then the classes and modules that used the most CPU time, read from
 * what test-support's {@code TestClassCpu} recorded ({@code target/test-cpu}): on a
 * machine of two cores the build is bound by CPU, so the CPU figures say what a change to
 * a test saves. Runs as the last module of the reactor, so with {@code -T} too every
 * other module's tests have finished; reports older than the build's start (left by an
 * earlier build of a module this build skipped) are left out.
 */
public final class SlowestTestClasses {

	private static final int DEFAULT_LIMIT = 10;

	private SlowestTestClasses() {
	}

	/**
	 * One test class's report: the module that ran it, its name, how many tests and how
	 * long.
	 */
	public record TestClass(String module, String name, int tests, int failed, double seconds) {

		String simpleName() {
			return this.name.substring(this.name.lastIndexOf('.') + 1);
		}

	}

	/**
	 * One test class's CPU seconds: its test JVM's threads while it ran ({@code own}) and
	 * the child processes the JVM waited for meanwhile ({@code children}). {@code shared}
	 * when another class of the same JVM ran at the same time: both figures then include
	 * that class's work too.
	 */
	public record ClassCpu(String module, String name, double own, double children, boolean shared) {

		double total() {
			return this.own + this.children;
		}

		String simpleName() {
			return this.name.substring(this.name.lastIndexOf('.') + 1);
		}

	}

	/**
	 * A module's test JVMs, from their start to the end of their last class: their own
	 * CPU seconds, their waited-for children's, and how many JVMs.
	 */
	public record ModuleCpu(double own, double children, int jvms) {

		double total() {
			return this.own + this.children;
		}

	}

	/** Every test class's CPU time and each module's test JVMs' in one build. */
	public record CpuTimes(List<ClassCpu> classes, Map<String, ModuleCpu> modules) {
	}

	/**
	 * Arguments: the root directory, the build's start time (ISO-8601; empty for no
	 * cut-off) and optionally how many classes to print.
	 */
	public static void main(String[] args) {
		if (args.length < 1) {
			throw new IllegalArgumentException("usage: SlowestTestClasses <root> [<build start>] [<how many>]");
		}
		Path root = Path.of(args[0]);
		Instant since = (args.length > 1 && !args[1].isBlank()) ? Instant.parse(args[1]) : Instant.EPOCH;
		int limit = (args.length > 2) ? Integer.parseInt(args[2]) : DEFAULT_LIMIT;
		print(collect(root, since), limit, System.out);
		printCpu(collectCpu(root, since), limit, System.out);
	}

	/** Every test class report under {@code root} written at or after {@code since}. */
	public static List<TestClass> collect(Path root, Instant since) {
		return filesUnderTargets(root, "surefire-reports", (file) -> isReport(file, since)).stream()
			.map((report) -> read(moduleOf(root, report), report))
			.toList();
	}

	/**
	 * Every test class's CPU time recorded under {@code root} at or after {@code since}
	 * (test-support's {@code TestClassCpu}: {@code target/test-cpu/<pid>.tsv}, one file
	 * per test JVM).
	 */
	public static CpuTimes collectCpu(Path root, Instant since) {
		List<ClassCpu> classes = new ArrayList<>();
		Map<String, ModuleCpu> modules = new LinkedHashMap<>();
		for (Path file : filesUnderTargets(root, "test-cpu",
				(file) -> file.getFileName().toString().endsWith(".tsv") && modifiedSince(file, since))) {
			String module = moduleOf(root, file);
			double[] jvm = { 0, 0 };
			try {
				for (String line : Files.readAllLines(file)) {
					String[] fields = line.split("\t");
					if (fields.length != 6) {
						throw new IllegalStateException("not a test CPU line in " + file + ": " + line);
					}
					classes.add(new ClassCpu(module, fields[0], Double.parseDouble(fields[1]),
							Double.parseDouble(fields[2]), "shared".equals(fields[3])));
					jvm[0] = Math.max(jvm[0], Double.parseDouble(fields[4]));
					jvm[1] = Math.max(jvm[1], Double.parseDouble(fields[5]));
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException("could not read " + file, ex);
			}
			catch (NumberFormatException ex) {
				throw new IllegalStateException("not a test CPU file: " + file + ": " + ex.getMessage(), ex);
			}
			modules.merge(module, new ModuleCpu(jvm[0], jvm[1], 1),
					(a, b) -> new ModuleCpu(a.own() + b.own(), a.children() + b.children(), a.jvms() + b.jvms()));
		}
		return new CpuTimes(classes, modules);
	}

	/**
	 * The files of {@code target/<directory>} of every module under {@code root} that
	 * {@code include} accepts, in path order; hidden directories, sources and
	 * {@code node_modules} are not searched.
	 */
	private static List<Path> filesUnderTargets(Path root, String directory, Predicate<Path> include) {
		List<Path> found = new ArrayList<>();
		try {
			Files.walkFileTree(root, new SimpleFileVisitor<>() {

				@Override
				public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
					String name = (dir.getFileName() != null) ? dir.getFileName().toString() : "";
					if (!dir.equals(root)
							&& (name.startsWith(".") || name.equals("src") || name.equals("node_modules"))) {
						return FileVisitResult.SKIP_SUBTREE;
					}
					if (name.equals("target")) {
						Path files = dir.resolve(directory);
						if (Files.isDirectory(files)) {
							try (Stream<Path> listed = Files.list(files)) {
								listed.filter(include).forEach(found::add);
							}
						}
						return FileVisitResult.SKIP_SUBTREE;
					}
					return FileVisitResult.CONTINUE;
				}

			});
		}
		catch (IOException ex) {
			throw new UncheckedIOException("could not read the test reports under " + root, ex);
		}
		return found.stream().sorted().toList();
	}

	/**
	 * Writes the {@code limit} slowest classes, then the time per module, slowest first.
	 */
	public static void print(List<TestClass> classes, int limit, PrintStream out) {
		if (classes.isEmpty()) {
			out.println("No test reports in this build.");
			return;
		}
		int tests = classes.stream().mapToInt(TestClass::tests).sum();
		double seconds = classes.stream().mapToDouble(TestClass::seconds).sum();
		List<TestClass> slowest = classes.stream()
			.sorted(Comparator.comparingDouble(TestClass::seconds).reversed().thenComparing(TestClass::name))
			.limit(limit)
			.toList();
		int moduleWidth = classes.stream().mapToInt((c) -> c.module().length()).max().orElse(0);
		out.printf(Locale.ROOT, "%d slowest test classes (of %d classes, %d tests, %.1f s of test time in all):%n",
				slowest.size(), classes.size(), tests, seconds);
		for (TestClass testClass : slowest) {
			out.printf(Locale.ROOT, "  %7.1f s  %-" + moduleWidth + "s  %s (%s%s)%n", testClass.seconds(),
					testClass.module(), testClass.simpleName(), count(testClass.tests(), "test"),
					(testClass.failed() > 0) ? ", " + testClass.failed() + " failed" : "");
		}
		Map<String, double[]> modules = new LinkedHashMap<>();
		for (TestClass testClass : classes) {
			double[] totals = modules.computeIfAbsent(testClass.module(), (m) -> new double[3]);
			totals[0] += testClass.seconds();
			totals[1] += testClass.tests();
			totals[2]++;
		}
		out.println("Test time per module:");
		modules.entrySet()
			.stream()
			.sorted(Comparator.comparingDouble((Map.Entry<String, double[]> e) -> e.getValue()[0]).reversed())
			.forEach((e) -> out.printf(Locale.ROOT, "  %7.1f s  %-" + moduleWidth + "s  %s in %s%n", e.getValue()[0],
					e.getKey(), count((int) e.getValue()[1], "test"), count((int) e.getValue()[2], "class")));
	}

	/**
	 * Writes the {@code limit} test classes that used the most CPU, then each module's
	 * test JVMs' CPU, most first; nothing when no CPU time was recorded (no
	 * {@code /proc}).
	 */
	public static void printCpu(CpuTimes cpu, int limit, PrintStream out) {
		if (cpu.classes().isEmpty()) {
			return;
		}
		double seconds = cpu.modules().values().stream().mapToDouble(ModuleCpu::total).sum();
		int jvms = cpu.modules().values().stream().mapToInt(ModuleCpu::jvms).sum();
		List<ClassCpu> most = cpu.classes()
			.stream()
			.sorted(Comparator.comparingDouble(ClassCpu::total).reversed().thenComparing(ClassCpu::name))
			.limit(limit)
			.toList();
		int moduleWidth = Stream.concat(cpu.classes().stream().map(ClassCpu::module), cpu.modules().keySet().stream())
			.mapToInt(String::length)
			.max()
			.orElse(0);
		out.printf(Locale.ROOT,
				"%d test classes using the most CPU (own threads + child processes waited for; %.1f s of CPU in %s"
						+ " in all):%n",
				most.size(), seconds, count(jvms, "test JVM"));
		for (ClassCpu testClass : most) {
			out.printf(Locale.ROOT, "  %7.1f s  %-" + moduleWidth + "s  %s (%.1f + %.1f%s)%n", testClass.total(),
					testClass.module(), testClass.simpleName(), testClass.own(), testClass.children(),
					testClass.shared() ? ", beside other classes of its JVM" : "");
		}
		out.println("CPU per module's test JVMs (own threads + child processes waited for):");
		cpu.modules()
			.entrySet()
			.stream()
			.sorted(Comparator.comparingDouble((Map.Entry<String, ModuleCpu> e) -> e.getValue().total()).reversed())
			.forEach((e) -> out.printf(Locale.ROOT, "  %7.1f s  %-" + moduleWidth + "s  %.1f + %.1f in %s%n",
					e.getValue().total(), e.getKey(), e.getValue().own(), e.getValue().children(),
					count(e.getValue().jvms(), "JVM")));
	}

	/** {@code 1 test}, {@code 2 tests}, {@code 1 class}, {@code 2 classes}. */
	private static String count(int n, String noun) {
		return n + " " + ((n == 1) ? noun : noun + (noun.endsWith("s") ? "es" : "s"));
	}

	private static boolean isReport(Path file, Instant since) {
		String name = file.getFileName().toString();
		return name.startsWith("TEST-") && name.endsWith(".xml") && modifiedSince(file, since);
	}

	private static boolean modifiedSince(Path file, Instant since) {
		try {
			return !Files.getLastModifiedTime(file).toInstant().isBefore(since);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String moduleOf(Path root, Path report) {
		// <module>/target/surefire-reports/TEST-x.xml, <module>/target/test-cpu/<pid>.tsv
		Path module = root.relativize(report).getParent().getParent().getParent();
		return (module == null) ? "." : module.toString().replace('\\', '/');
	}

	static TestClass read(String module, Path report) {
		XMLInputFactory factory = XMLInputFactory.newFactory();
		factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
		factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
		try (InputStream in = Files.newInputStream(report)) {
			XMLStreamReader xml = factory.createXMLStreamReader(in);
			try {
				while (xml.hasNext()) {
					if (xml.next() == XMLStreamConstants.START_ELEMENT && "testsuite".equals(xml.getLocalName())) {
						return new TestClass(module, attribute(xml, "name", report),
								Integer.parseInt(attribute(xml, "tests", report)),
								Integer.parseInt(attribute(xml, "failures", report))
										+ Integer.parseInt(attribute(xml, "errors", report)),
								Double.parseDouble(attribute(xml, "time", report).replace(",", "")));
					}
				}
			}
			finally {
				xml.close();
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("could not read " + report, ex);
		}
		catch (XMLStreamException | NumberFormatException ex) {
			throw new IllegalStateException("not a Surefire report: " + report + ": " + ex.getMessage(), ex);
		}
		throw new IllegalStateException("not a Surefire report (no testsuite element): " + report);
	}

	private static String attribute(XMLStreamReader xml, String name, Path report) {
		String value = xml.getAttributeValue(null, name);
		if (value == null) {
			throw new IllegalStateException("Surefire report " + report + " has no '" + name + "' attribute");
		}
		return value;
	}

}
