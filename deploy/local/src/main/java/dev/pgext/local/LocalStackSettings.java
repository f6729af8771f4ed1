package dev.pgext.local;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import org.springframework.boot.convert.DurationStyle;

/**
 * Where the local stack keeps its data, the ports of its parts, the address the registry
 * and the importer listen on, and how long its parts may take to answer. Read from
 * {@code pgext.local.*} system properties; {@code deploy/local/pom.xml} passes the Maven
 * properties of the same names on to the JVM {@code spring-boot:run} forks, so
 * {@code ./mvnw ... spring-boot:run -Dpgext.local.registry-port=18080} reaches the stack.
 * An unset or empty property means the default.
 *
 * @param data the directory everything the stack keeps lives in
 * @param ports the ports of the parts
 * @param bindAddress the address the registry and the importer listen on: loopback unless
 * exposed on purpose (the stack prints an administrator token)
 * @param startTimeout how long the stack waits for every part to answer before it gives
 * up
 * @param seed the contrib extensions the first start publishes to the registry, empty for
 * all of them ({@code pg_stat_statements}, which the compute preloads, is always among
 * them)
 */
record LocalStackSettings(Path data, Ports ports, String bindAddress, Duration startTimeout, List<String> seed) {

	/** The system properties the stack reads; the pom passes each of them on. */
	static final List<String> PROPERTIES = List.of("pgext.local.dir", "pgext.local.registry-port",
			"pgext.local.loader-port", "pgext.local.importer-port", "pgext.local.s3-port", "pgext.local.compute-port",
			"pgext.local.bind-address", "pgext.local.start-timeout", "pgext.local.seed");

	static final String LOOPBACK = "127.0.0.1";

	/**
	 * The ports of the stack. The defaults lie below Linux's ephemeral range
	 * ({@code net.ipv4.ip_local_port_range}, 32768-60999 by default), from which the
	 * machine takes the local port of every outgoing connection: an outgoing connection
	 * holding the compute's port would make its start fail with "already in use" while
	 * nothing listens on it.
	 */
	record Ports(int registry, int loader, int importer, int s3, int compute) {

		static final Ports DEFAULTS = new Ports(8080, 8081, 8082, 9000, 15432);

	}

	/**
	 * The address this machine reaches the registry and the importer at: loopback when
	 * they listen on every interface, else the one address they listen on.
	 */
	String serviceAddress() {
		try {
			return InetAddress.getByName(this.bindAddress).isAnyLocalAddress() ? LOOPBACK : this.bindAddress;
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException("pgext.local.bind-address=" + this.bindAddress + " is no address here");
		}
	}

	LocalStackSettings {
		seed = List.copyOf(seed);
	}

	static LocalStackSettings defaults(Path data, Ports ports) {
		return new LocalStackSettings(data, ports, LOOPBACK, Duration.ofMinutes(3), List.of());
	}

	/** The same settings, seeding only {@code extensions} (empty: all). */
	LocalStackSettings withSeed(List<String> extensions) {
		return new LocalStackSettings(this.data, this.ports, this.bindAddress, this.startTimeout, extensions);
	}

	static LocalStackSettings from(Properties properties) {
		Ports d = Ports.DEFAULTS;
		Ports ports = new Ports(port(properties, "pgext.local.registry-port", d.registry()),
				port(properties, "pgext.local.loader-port", d.loader()),
				port(properties, "pgext.local.importer-port", d.importer()),
				port(properties, "pgext.local.s3-port", d.s3()),
				port(properties, "pgext.local.compute-port", d.compute()));
		String timeout = value(properties, "pgext.local.start-timeout", "3m");
		Duration startTimeout;
		try {
			startTimeout = DurationStyle.detectAndParse(timeout);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(
					"pgext.local.start-timeout=" + timeout + " is not a duration such as 90s, 3m or PT3M", ex);
		}
		List<String> seed = Arrays.stream(value(properties, "pgext.local.seed", "").split(","))
			.map(String::strip)
			.filter((name) -> !name.isEmpty())
			.distinct()
			.toList();
		return new LocalStackSettings(Path.of(value(properties, "pgext.local.dir", ".pgext/local-stack")), ports,
				value(properties, "pgext.local.bind-address", LOOPBACK), startTimeout, seed);
	}

	private static String value(Properties properties, String name, String fallback) {
		String value = properties.getProperty(name);
		return (value == null || value.isBlank()) ? fallback : value.strip();
	}

	private static int port(Properties properties, String name, int fallback) {
		String value = value(properties, name, Integer.toString(fallback));
		try {
			int port = Integer.parseInt(value);
			if (port < 1 || port > 65535) {
				throw new NumberFormatException();
			}
			return port;
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(name + "=" + value + " is not a port (1-65535)");
		}
	}

}
