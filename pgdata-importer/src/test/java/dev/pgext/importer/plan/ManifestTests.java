package dev.pgext.importer.plan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.importer.pgdata.ChecksumAlgorithm;
import dev.pgext.importer.pgdata.FileCheck;
import dev.pgext.importer.pgdata.InvalidPgdataException;
import dev.pgext.model.Sha256Digest;
import dev.pgext.testsupport.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The frozen manifest is written and read as a stream, in the bytes manifests always had.
 */
class ManifestTests {

	@TempDir
	Path dir;

	@Test
	void aStreamedManifestHasTheBytesAndDigestOfTheDocumentEarlierVersionsStored() throws IOException {
		List<ManifestEntry> files = List.of(new ManifestEntry("base/5/1259", 16384, "e1"),
				new ManifestEntry("global/pg_control", 8192, "e2"), new ManifestEntry("pg_wal/x", 0, null));
		List<FileCheck> checks = List.of(new FileCheck("global/pg_control", 8192, ChecksumAlgorithm.SHA256,
				"ab".repeat(32), "the file list of 'status/pgdata'"));
		Manifest.Writer writer = Manifest.writer(this.dir.resolve("m.json"));
		files.forEach(writer::add);
		Manifest written = writer.finish(checks);

		// the document earlier versions serialised from one record holding the whole
		// listing
		byte[] stored = JsonMapper.builder().build().writeValueAsBytes(new FormatOne(1, files, checks));
		assertThat(Files.readAllBytes(written.file())).isEqualTo(stored);
		assertThat(written.digest()).isEqualTo(Sha256Digest.of(stored));

		Path old = Files.write(this.dir.resolve("old.json"), stored);
		Manifest read = Manifest.read(old);
		assertThat(read.digest()).isEqualTo(written.digest());
		assertThat(read.count()).isEqualTo(3);
		List<FileCheck> walkedChecks = new ArrayList<>();
		read.checks().forEach(walkedChecks::add);
		assertThat(walkedChecks).isEqualTo(checks);
		List<ManifestEntry> walked = new ArrayList<>();
		read.files().forEach(walked::add);
		assertThat(walked).isEqualTo(files);
	}

	@Test
	void withoutAFileListTheManifestHasNoChecks() throws IOException {
		Manifest written = Manifest.write(this.dir.resolve("m.json"),
				List.of(new ManifestEntry("b", 1, "e"), new ManifestEntry("a", 2, "f")));
		assertThat(Files.readString(written.file()))
			.isEqualTo("{\"format\":1,\"files\":[{\"path\":\"a\",\"size\":2,\"etag\":\"f\"},"
					+ "{\"path\":\"b\",\"size\":1,\"etag\":\"e\"}]}");
		assertThat(Manifest.read(written.file()).checks()).isNull();
	}

	@Test
	void aListingOutOfPathOrderIsRefusedNamingTheFile() {
		Manifest.Writer writer = Manifest.writer(this.dir.resolve("m.json"));
		writer.add(new ManifestEntry("base/5/1259", 8192, "e"));
		assertThatExceptionOfType(InvalidPgdataException.class)
			.isThrownBy(() -> writer.add(new ManifestEntry("base/5/1247", 8192, "e")))
			.withMessageContaining("'base/5/1247' was listed after 'base/5/1259'");
		assertThat(this.dir.resolve("m.json")).doesNotExist();
	}

	@Test
	void aStoredManifestOfAnotherFormatOrOrderIsRefused() throws IOException {
		Path other = Files.writeString(this.dir.resolve("v2.json"), "{\"format\":2,\"files\":[]}");
		assertThatIllegalArgumentException().isThrownBy(() -> Manifest.read(other))
			.withMessageContaining("format 2 is not the format 1");
		Path unsorted = Files.writeString(this.dir.resolve("u.json"),
				"{\"format\":1,\"files\":[{\"path\":\"b\",\"size\":1,\"etag\":\"e\"},{\"path\":\"a\",\"size\":1,\"etag\":\"e\"}]}");
		assertThatIllegalArgumentException().isThrownBy(() -> Manifest.read(unsorted))
			.withMessageContaining("not in path order at 'a'");
		Path cut = Files.writeString(this.dir.resolve("cut.json"), "{\"format\":1,\"files\":[{\"path\":\"b\",");
		assertThatIllegalArgumentException().isThrownBy(() -> Manifest.read(cut))
			.withMessageContaining("not valid JSON");
	}

	/**
	 * A quarter of a million files (about 20 MB of JSON, several times that as objects)
	 * are frozen, read back and walked twice in a JVM of 16 MiB of heap: nothing in the
	 * manifest grows with the listing. The child runs with this JVM's options (C1 only,
	 * the serial collector), as the build's test JVMs do.
	 */
	@Test
	void aListingManyTimesLargerThanTheHeapIsFrozenReadAndWalkedInASmallHeap() throws Exception {
		Path file = this.dir.resolve("large.json");
		List<String> command = new ArrayList<>(ChildJvm.command("-Xmx16m"));
		command.addAll(List.of(ManifestSmallHeapMain.class.getName(), file.toString(), "250000"));
		Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
		assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();
		String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(child.exitValue()).as(output).isZero();
		assertThat(output).contains("files 250000 walked 250000 250000");
		assertThat(Files.size(file)).isGreaterThan(15L << 20);
		String[] digests = output.substring(output.indexOf("digests ") + 8).trim().split(" ");
		assertThat(digests[0]).isEqualTo(digests[1]).isEqualTo(Sha256Digest.of(file).hex());
	}

	/**
	 * The shape of the manifest record of earlier versions, which serialised the whole
	 * listing at once.
	 */
	record FormatOne(int format, List<ManifestEntry> files,
			@JsonInclude(JsonInclude.Include.NON_NULL) List<FileCheck> checks) {

	}

}
