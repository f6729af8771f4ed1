package dev.pgext.importer.pgdata;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.testsupport.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The status object is read with a streaming parser: {@code done} without its file list,
 * the file list one entry at a time.
 */
class UploadFileListTests {

	private static final String SHA = "AB".repeat(32);

	/**
	 * The import copies the status object into a local file as it streams in and reads it
	 * from there: a file list of 300,000 entries (about 30 MB of JSON, several times that
	 * as objects) is read in a JVM of 16 MiB of heap.
	 */
	@Test
	void aStoredFileListManyTimesLargerThanTheHeapIsReadInASmallHeap(@TempDir Path dir) throws Exception {
		Path status = dir.resolve("status-pgdata.json");
		int entries = 300_000;
		try (BufferedWriter out = Files.newBufferedWriter(status)) {
			out.write("{\"files\":[");
			for (int i = 0; i < entries; i++) {
				out.write(((i > 0) ? "," : "") + "{\"path\":\"base/5/" + (16384 + i) + "\",\"size\":8192,\"sha256\":\""
						+ SHA + "\"}");
			}
			out.write("],\"done\":true}");
		}
		List<String> command = new ArrayList<>(ChildJvm.command("-Xmx16m"));
		command.addAll(List.of(UploadFileListSmallHeapMain.class.getName(), status.toString()));
		Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

		assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();
		assertThat(child.exitValue()).as(output).isZero();
		assertThat(Files.size(status)).isGreaterThan(16L << 20);
		assertThat(output).contains("done true listed true files " + entries + " bytes " + (8192L * entries));
	}

	@Test
	void theFileListIsHandedOverEntryByEntryInItsOrder() {
		byte[] status = bytes("{\"files\":[{\"path\":\"global/pg_control\",\"size\":8192,\"sha256\":\"" + SHA
				+ "\"},{\"path\":\"base/5/1259\",\"size\":0,\"extra\":[1,{}]}],\"done\":true,\"by\":{\"tool\":\"x\"}}");
		List<FileCheck> checks = new ArrayList<>();

		assertThat(UploadFileList.files(status, checks::add)).isTrue();

		assertThat(checks).containsExactly(
				new FileCheck("global/pg_control", 8192, ChecksumAlgorithm.SHA256, SHA,
						"the file list of 'status/pgdata'"),
				new FileCheck("base/5/1259", 0, ChecksumAlgorithm.NONE, null, "the file list of 'status/pgdata'"));
		assertThat(UploadFileList.done(status)).isTrue();
	}

	@Test
	void doneIsReadWithoutTheFileListAndAnObjectWithoutAListHasNone() {
		assertThat(UploadFileList.done(bytes("{\"done\":false,\"files\":[{\"path\":\"x\"}]}"))).isFalse();
		assertThat(UploadFileList.done(bytes("{\"files\":[{\"path\":\"x\"}],\"done\":true}"))).isTrue();
		assertThat(UploadFileList.files(bytes("{\"done\":true}"), (c) -> {
		})).isFalse();
		assertThat(UploadFileList.files(bytes("{\"done\":true,\"files\":null}"), (c) -> {
		})).isFalse();
	}

	@Test
	void aDoneThatIsNotTrueOrFalseIsRefusedNamingWhatItIs() {
		assertThatExceptionOfType(InvalidPgdataException.class)
			.isThrownBy(() -> UploadFileList.done(bytes("{\"done\":\"yes\"}")))
			.withMessage("'status/pgdata' has \"done\": the string \"yes\", not true or false");
		assertThatExceptionOfType(InvalidPgdataException.class)
			.isThrownBy(() -> UploadFileList.done(bytes("{\"files\":[],\"done\":{\"at\":1}}")))
			.withMessage("'status/pgdata' has \"done\": an object, not true or false");
		assertThatExceptionOfType(InvalidPgdataException.class)
			.isThrownBy(() -> UploadFileList.done(bytes("{\"done\":1}")))
			.withMessage("'status/pgdata' has \"done\": the number 1, not true or false");
		assertThatExceptionOfType(InvalidPgdataException.class)
			.isThrownBy(() -> UploadFileList.done(bytes("{\"done\":null}")))
			.withMessage("'status/pgdata' has \"done\": null, not true or false");
		// not done yet, as before
		assertThat(UploadFileList.done(bytes("{\"done\":false}"))).isFalse();
		assertThat(UploadFileList.done(bytes("{}"))).isFalse();
	}

	@Test
	void malformedStatusesAndEntriesAreRefusedWithAReason() {
		assertThatExceptionOfType(InvalidPgdataException.class).isThrownBy(() -> UploadFileList.done(bytes("[true]")))
			.withMessageContaining("is not a JSON object");
		assertThatExceptionOfType(InvalidPgdataException.class)
			.isThrownBy(() -> UploadFileList.done(bytes("{\"done\":true")))
			.withMessageContaining("is not a JSON object");
		assertThatExceptionOfType(InvalidPgdataException.class)
			.isThrownBy(() -> UploadFileList.files(bytes("{\"files\":{}}"), (c) -> {
			}))
			.withMessage("the file list of 'status/pgdata' is not an array");
		assertThatExceptionOfType(InvalidPgdataException.class)
			.isThrownBy(() -> UploadFileList.files(bytes("{\"files\":[{\"path\":\"base/1/1\"}]}"), (c) -> {
			}))
			.withMessage("the file list of 'status/pgdata' lists 'base/1/1' without a size");
		assertThatExceptionOfType(InvalidPgdataException.class)
			.isThrownBy(() -> UploadFileList.files(bytes("{\"files\":[3]}"), (c) -> {
			}))
			.withMessageContaining("an entry that is not an object");
	}

	private static byte[] bytes(String json) {
		return json.getBytes(StandardCharsets.UTF_8);
	}

}
