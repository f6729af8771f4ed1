package dev.pgext.importer.pgdata;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The status object is read with a streaming parser: {@code done} without its file list,
 * the file list one entry at a time.
 */
class UploadFileListTests {

	private static final String SHA = "AB".repeat(32);

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
