package dev.pgext.model;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExecutablesTests {

	@Test
	void aProgramOnThePathIsFoundAsAnExecutableFileNamedSo() {
		Path sh = Executables.onPath("sh").orElseThrow();
		assertThat(sh.getFileName()).hasToString("sh");
		assertThat(Files.isExecutable(sh)).isTrue();
	}

	@Test
	void theFirstNameFoundWinsAndAMissingOneIsSkipped() {
		assertThat(Executables.onPath("pgext-no-such-program", "sh")).isEqualTo(Executables.onPath("sh"));
		assertThat(Executables.onPath("pgext-no-such-program")).isEmpty();
	}

}
