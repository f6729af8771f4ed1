package dev.pgext.registry.publish;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.registry.problem.RegistryException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ReleaseReadmeTests {

	@TempDir
	Path directory;

	@Test
	void theTopDirectorysMarkdownReadmeIsPreferredWhateverItsCase() throws IOException {
		Map<String, byte[]> entries = new LinkedHashMap<>();
		entries.put("answer-1.0.0/README.txt", text("plain"));
		entries.put("answer-1.0.0/doc/README.md", text("nested, not the top one"));
		entries.put("answer-1.0.0/Readme.MD", text("# answer"));
		List<String> notes = new ArrayList<>();

		assertThat(readme(entries, notes)).contains("# answer");
		assertThat(notes).isEmpty();
	}

	@Test
	void aSourceDistributionWithoutATopLevelReadmeHasNone() throws IOException {
		Map<String, byte[]> entries = Map.of("answer-1.0.0/META.json", text("{}"), "answer-1.0.0/doc/README.md",
				text("nested"));

		assertThat(readme(entries, new ArrayList<>())).isEmpty();
	}

	@Test
	void aReadmeTooLargeOrNotUtf8IsLeftOutWithANote() throws IOException {
		List<String> notes = new ArrayList<>();

		assertThat(readme(Map.of("answer-1.0.0/README", new byte[ReleaseReadme.MAX_BYTES + 1]), notes)).isEmpty();
		assertThat(readme(Map.of("answer-1.0.0/README.md", new byte[] { 'a', (byte) 0xFF }), notes)).isEmpty();
		assertThat(notes).hasSize(2)
			.anySatisfy((note) -> assertThat(note).contains("answer-1.0.0/README").contains("larger than"))
			.anySatisfy((note) -> assertThat(note).contains("answer-1.0.0/README.md").contains("not UTF-8"));
	}

	@Test
	void aReadmePartMustBeSmallUtf8Text() {
		assertThat(ReleaseReadme.fromPart(text("Built *elsewhere*."))).isEqualTo("Built *elsewhere*.");
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> ReleaseReadme.fromPart(new byte[ReleaseReadme.MAX_BYTES + 1]))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("invalid-readme"));
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> ReleaseReadme.fromPart(new byte[] { 'a', 0, 'b' }))
			.withMessageContaining("not UTF-8 text without NUL");
	}

	private Optional<String> readme(Map<String, byte[]> entries, List<String> notes) throws IOException {
		Path zip = Files.createTempFile(this.directory, "source", ".zip");
		try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream writer = new ZipOutputStream(out)) {
			for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
				writer.putNextEntry(new ZipEntry(entry.getKey()));
				writer.write(entry.getValue());
				writer.closeEntry();
			}
		}
		try (ZipFile file = ZipFile.builder().setPath(zip).get()) {
			return ReleaseReadme.fromSource(file, "answer-1.0.0", notes);
		}
	}

	private static byte[] text(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
