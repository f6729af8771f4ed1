package dev.pgext.loader.hook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import org.junit.jupiter.api.Test;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hook built against PostgreSQL 18's headers, loaded into the PostgreSQL 18 binaries;
 * and what only 18 has: control files along {@code extension_control_path}.
 */
@HookMajor(PgextLoaderHookPg18IntegrationTests.MAJOR)
class PgextLoaderHookPg18IntegrationTests extends PgextLoaderHookIntegrationTests {

	static final int MAJOR = 18;

	private static HookCompute compute;

	@DynamicPropertySource
	static void compute(DynamicPropertyRegistry registry) throws IOException {
		compute = HookCompute.prepare(MAJOR, PgextLoaderHookPg18IntegrationTests.class, registry);
	}

	@Override
	HookCompute compute() {
		return compute;
	}

	@Test
	void anExtensionInADirectoryOnTheControlPathIsCreatedWithoutARequest() throws Exception {
		Path base = compute.root.resolve("own-extensions");
		Path dir = Files.createDirectories(base.resolve("extension"));
		Files.writeString(dir.resolve("pgext_probe.control"), """
				default_version = '1.0'
				relocatable = true
				""");
		Files.writeString(dir.resolve("pgext_probe--1.0.sql"),
				"CREATE FUNCTION pgext_probe() RETURNS int LANGUAGE sql AS 'SELECT 18';\n");
		int before = this.requests.count();
		try (Connection connection = compute.connect(); Statement sql = connection.createStatement()) {
			sql.execute("SET extension_control_path = '" + base + ":$system'");
			sql.execute("CREATE EXTENSION pgext_probe");
			assertThat(value(sql, "SELECT pgext_probe()")).isEqualTo("18");
		}
		assertThat(this.requests.count()).isEqualTo(before);
	}

	@Test
	void anExtensionMissingAlongTheControlPathIsFetchedIntoSystem() throws Exception {
		Path base = Files.createDirectories(compute.root.resolve("empty-extensions").resolve("extension")).getParent();
		int before = this.requests.count();
		try (Connection connection = compute.connect(); Statement sql = connection.createStatement()) {
			sql.execute("SET extension_control_path = '" + base + ":$system'");
			sql.execute("CREATE EXTENSION isn");
			assertThat(value(sql, "SELECT isn_weak()")).isEqualTo("f");
		}
		assertThat(this.requests.count()).isEqualTo(before + 1);
		assertThat(compute.install.pkglibdir().resolve("isn.so")).isRegularFile();
	}

}
