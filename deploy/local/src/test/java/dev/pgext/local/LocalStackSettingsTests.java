package dev.pgext.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The local stack's settings: what the README's {@code -Dpgext.local.*} flags set, what
 * an empty value (the pom's default) means, and that the pom passes every one of them on
 * to the JVM {@code spring-boot:run} forks.
 */
class LocalStackSettingsTests {

	@Test
	void withoutPropertiesTheStackUsesTheDocumentedPortsOnLoopback() {
		LocalStackSettings settings = LocalStackSettings.from(new Properties());
		assertThat(settings.ports()).isEqualTo(new LocalStackSettings.Ports(8080, 8081, 8082, 9000, 15432));
		assertThat(settings.bindAddress()).isEqualTo("127.0.0.1");
		assertThat(settings.data()).isEqualTo(Path.of(".pgext/local-stack"));
		assertThat(settings.startTimeout()).isEqualTo(Duration.ofMinutes(3));
	}

	@Test
	void anEmptyValueAsTheDeployPomPassesItMeansTheDefault() {
		Properties properties = new Properties();
		LocalStackSettings.PROPERTIES.forEach((name) -> properties.setProperty(name, ""));
		assertThat(LocalStackSettings.from(properties)).isEqualTo(LocalStackSettings.from(new Properties()));
	}

	@Test
	void everyPortTheDataDirectoryAndTheBindAddressCanBeMoved() {
		Properties properties = new Properties();
		properties.setProperty("pgext.local.registry-port", "18080");
		properties.setProperty("pgext.local.loader-port", "18081");
		properties.setProperty("pgext.local.importer-port", "18082");
		properties.setProperty("pgext.local.s3-port", "19000");
		properties.setProperty("pgext.local.compute-port", "25432");
		properties.setProperty("pgext.local.dir", ".pgext/second");
		properties.setProperty("pgext.local.bind-address", "0.0.0.0");
		properties.setProperty("pgext.local.start-timeout", "90s");
		properties.setProperty("pgext.local.seed", " hstore, pg_trgm,,hstore ");
		LocalStackSettings settings = LocalStackSettings.from(properties);
		assertThat(settings.ports()).isEqualTo(new LocalStackSettings.Ports(18080, 18081, 18082, 19000, 25432));
		assertThat(settings.data()).isEqualTo(Path.of(".pgext/second"));
		assertThat(settings.bindAddress()).isEqualTo("0.0.0.0");
		assertThat(settings.startTimeout()).isEqualTo(Duration.ofSeconds(90));
		assertThat(settings.seed()).containsExactly("hstore", "pg_trgm");
		assertThat(LocalStackSettings.from(new Properties()).seed()).as("every contrib extension").isEmpty();
	}

	@Test
	void theSeedPicksContribExtensionsAndAlwaysKeepsThePreloadedOne() {
		List<String> contrib = List.of("cube", "hstore", "pg_stat_statements", "pg_trgm");
		assertThat(LocalStack.seedNames(contrib, List.of())).isEqualTo(contrib);
		assertThat(LocalStack.seedNames(contrib, List.of("pg_trgm", "hstore"))).containsExactly("hstore",
				"pg_stat_statements", "pg_trgm");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> LocalStack.seedNames(contrib, List.of("hstore", "postgis")))
			.withMessage("pgext.local.seed names postgis, not a contrib extension of PostgreSQL 15 (those are: cube, "
					+ "hstore, pg_stat_statements, pg_trgm)");
	}

	@Test
	void exposedOnEveryInterfaceTheServicesAreStillReachedOnLoopbackElseOnTheirOneAddress() {
		Properties properties = new Properties();
		assertThat(LocalStackSettings.from(properties).serviceAddress()).isEqualTo("127.0.0.1");
		properties.setProperty("pgext.local.bind-address", "0.0.0.0");
		assertThat(LocalStackSettings.from(properties).serviceAddress()).isEqualTo("127.0.0.1");
		properties.setProperty("pgext.local.bind-address", "127.0.0.2");
		assertThat(LocalStackSettings.from(properties).serviceAddress()).isEqualTo("127.0.0.2");
	}

	@Test
	void aValueThatIsNoPortIsRefusedNamingTheProperty() {
		Properties properties = new Properties();
		properties.setProperty("pgext.local.compute-port", "5432x");
		assertThatIllegalArgumentException().isThrownBy(() -> LocalStackSettings.from(properties))
			.withMessage("pgext.local.compute-port=5432x is not a port (1-65535)");
		properties.setProperty("pgext.local.compute-port", "70000");
		assertThatIllegalArgumentException().isThrownBy(() -> LocalStackSettings.from(properties))
			.withMessageContaining("pgext.local.compute-port=70000");
	}

	@Test
	void theDeployPomPassesEverySettingOnToTheForkedJvm() throws Exception {
		String pom = Files.readString(Path.of("pom.xml"));
		Matcher block = Pattern.compile("(?s)<systemPropertyVariables>(.*?)</systemPropertyVariables>").matcher(pom);
		assertThat(block.find()).isTrue();
		List<String> passed = Pattern.compile("<(pgext\\.local\\.[a-z0-9-]+)>\\$\\{\\1}</\\1>")
			.matcher(block.group(1))
			.results()
			.map((m) -> m.group(1))
			.toList();
		assertThat(passed).containsExactlyInAnyOrderElementsOf(LocalStackSettings.PROPERTIES);
		for (String name : LocalStackSettings.PROPERTIES) {
			assertThat(pom).as("a default for " + name).contains("<" + name + "/>");
		}
	}

	@Test
	void theReadmeNamesEverySetting() throws Exception {
		String readme = Files.readString(Path.of("../../README.md"));
		for (String name : LocalStackSettings.PROPERTIES) {
			assertThat(readme).as(name).contains(name.substring("pgext.local.".length()));
		}
	}

}
