package dev.pgext.cli;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.cli.exit.ExitCode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line itself: usage errors, missing configuration, documented exit codes.
 */
class PgextCliTests {

	@Test
	void anUnknownOptionIsAUsageErrorWithExitCode2() {
		CliRun run = CliRun.of(Map.of(), "install", "x", "--no-such-option");

		assertThat(run.exitCode()).isEqualTo(ExitCode.LOCAL);
		assertThat(run.err()).contains("Unknown option: '--no-such-option'").contains("Usage: pgext install");
	}

	@Test
	void anUnknownCommandIsNamedAsOne() {
		CliRun run = CliRun.of(Map.of(), "frobnicate");

		assertThat(run.exitCode()).isEqualTo(ExitCode.LOCAL);
		assertThat(run.err()).startsWith("error: unknown command 'frobnicate' (pgext --help lists them)");
	}

	@Test
	void anInstallationDirectoryWithoutShareExtensionIsRefusedBeforeAnythingIsAsked(@TempDir Path pgdir) {
		CliRun run = CliRun.of(Map.of("PGEXT_REGISTRY", "http://127.0.0.1:1"), "install", "hstore", "--pgdir",
				pgdir.toString(), "--pg-major", "15", "--dry-run");

		assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.LOCAL);
		assertThat(run.err()).contains("has no share/extension").contains("--pg-config");
	}

	@Test
	void initWithoutAControlFileTakesTheDirectorysNameOnlyWhenItIsAnExtensionName(@TempDir Path parent)
			throws Exception {
		Path odd = java.nio.file.Files.createDirectory(parent.resolve("o2 $(id)"));
		CliRun refused = CliRun.of(Map.of(), "init", "-C", odd.toString());
		assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCode.LOCAL);
		assertThat(refused.err()).contains("is no extension name");
		assertThat(odd.resolve("META.json")).doesNotExist();

		Path named = java.nio.file.Files.createDirectory(parent.resolve("my_ext"));
		CliRun init = CliRun.of(Map.of(), "init", "-C", named.toString());
		assertThat(init.exitCode()).as(init.toString()).isZero();
		assertThat(init.out()).contains("note: no single control file").contains("my_ext");
	}

	@Test
	void installNeedsToKnowWhereTheInstallationIs() {
		CliRun run = CliRun.of(Map.of(), "install", "hstore");

		assertThat(run.exitCode()).isEqualTo(ExitCode.LOCAL);
		assertThat(run.err()).contains("--pg-config").contains("--pgdir").doesNotContain("error: Error:");
	}

	@Test
	void withoutARegistryTheCommandSaysHowToNameOne() {
		CliRun run = CliRun.of(Map.of("PGEXT_CONFIG", "/nonexistent/credentials"), "search", "hstore");

		assertThat(run.exitCode()).isEqualTo(ExitCode.LOCAL);
		assertThat(run.err()).contains("no registry: pass --registry URL, set PGEXT_REGISTRY, or run pgext login");
	}

	@Test
	void helpListsTheCommandsAndTheExitCodes() {
		CliRun run = CliRun.of(Map.of(), "--help");

		assertThat(run.exitCode()).isZero();
		assertThat(run.out())
			.contains("login", "whoami", "init", "package", "publish", "yank", "unyank", "deprecate", "search", "info",
					"install")
			.contains("Exit codes:")
			.contains("registry unreachable, or a download failed its sha256");
	}

}
