package dev.pgext.cli.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.cli.exit.CliException;
import dev.pgext.cli.exit.ExitCode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The credentials file: where it is, who may read it, what it keeps. */
class CredentialsTests {

	@TempDir
	Path dir;

	@Test
	void tokensAreWrittenReadableOnlyByTheOwnerAndKeptPerRegistry() throws IOException {
		Path file = this.dir.resolve("pgext/credentials");
		new Credentials(null, Map.of()).with("https://a.example", new Credentials.Login("pgx_a", "alice")).write(file);
		Credentials.read(file).with("https://b.example", new Credentials.Login("pgx_b", "bob")).write(file);

		Credentials read = Credentials.read(file);
		assertThat(read.defaultRegistry()).isEqualTo("https://b.example");
		assertThat(read.loginFor("https://a.example")).contains(new Credentials.Login("pgx_a", "alice"));
		assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
		assertThat(Files.getPosixFilePermissions(file.getParent()))
			.isEqualTo(PosixFilePermissions.fromString("rwx------"));
		try (var leftovers = Files.list(file.getParent())) {
			assertThat(leftovers).containsExactly(file);
		}
	}

	@Test
	void theFileIsFoundThroughPgextConfigThenXdgConfigHomeThenHome() {
		assertThat(new Environment(Map.of("PGEXT_CONFIG", "/x/creds", "HOME", "/home/u"), null).credentialsFile())
			.isEqualTo(Path.of("/x/creds"));
		assertThat(new Environment(Map.of("XDG_CONFIG_HOME", "/cfg", "HOME", "/home/u"), null).credentialsFile())
			.isEqualTo(Path.of("/cfg/pgext/credentials"));
		assertThat(new Environment(Map.of("HOME", "/home/u"), null).credentialsFile())
			.isEqualTo(Path.of("/home/u/.config/pgext/credentials"));
	}

	@Test
	void aDamagedFileIsALocalError() throws IOException {
		Path file = Files.writeString(this.dir.resolve("credentials"), "{not json");

		assertThatExceptionOfType(CliException.class).isThrownBy(() -> Credentials.read(file))
			.satisfies((ex) -> assertThat(ex.exitCode()).isEqualTo(ExitCode.LOCAL))
			.withMessageContaining(file.toString());
	}

}
