package dev.pgext.importer.pgdata;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import tools.jackson.databind.JsonNode;

/**
 * The file list an uploader may put into its {@code status/pgdata} object:
 * {@code {"done": true, "files": [{"path": "base/5/1259", "size": 81920, "sha256": "…"},
 * …]}}, paths relative to the PGDATA root.
 */
public final class UploadFileList {

	private static final String SOURCE = "the file list of 'status/pgdata'";

	private UploadFileList() {
	}

	/** The list in {@code status}, or empty when the object carries none. */
	public static Optional<List<FileCheck>> of(JsonNode status) {
		JsonNode files = status.path("files");
		if (files.isMissingNode() || files.isNull()) {
			return Optional.empty();
		}
		if (!files.isArray()) {
			throw new InvalidPgdataException(SOURCE + " is not an array");
		}
		List<FileCheck> checks = new ArrayList<>(files.size());
		for (JsonNode file : files) {
			String path = file.path("path").asString("");
			if (!file.path("size").isIntegralNumber()) {
				throw new InvalidPgdataException(SOURCE + " lists '" + path + "' without a size");
			}
			boolean hasSha = file.hasNonNull("sha256");
			checks.add(new FileCheck(path, file.path("size").asLong(),
					hasSha ? ChecksumAlgorithm.SHA256 : ChecksumAlgorithm.NONE,
					hasSha ? file.path("sha256").asString("") : "", SOURCE));
		}
		return Optional.of(List.copyOf(checks));
	}

}
