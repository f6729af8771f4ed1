package dev.pgext.importer.plan;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.importer.pgdata.FileCheck;
import dev.pgext.model.Sha256Digest;

/**
 * The frozen listing of an import's input: every later read must match it, so an input that
 * changes during the import fails the import instead of mixing two versions.
 *
 * @param format format version of this document
 * @param files the files, sorted by path
 * @param checks what the files must be according to the upload's {@code backup_manifest} or
 * file list, in the order given there; absent when the upload carries neither
 */
public record Manifest(int format, List<ManifestEntry> files,
		@JsonInclude(JsonInclude.Include.NON_NULL) List<FileCheck> checks) {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	public Manifest {
		files = files.stream().sorted(Comparator.comparing(ManifestEntry::path)).toList();
		checks = (checks != null) ? List.copyOf(checks) : null;
	}

	public static Manifest of(List<ManifestEntry> files) {
		return new Manifest(1, files, null);
	}

	/** The same listing with the expectations it must meet. */
	public Manifest withChecks(List<FileCheck> expected) {
		return new Manifest(this.format, this.files, expected);
	}

	/** Canonical bytes: equal manifests are equal bytes, so the digest identifies the input. */
	public byte[] toJson() {
		return JSON.writeValueAsBytes(this);
	}

	public static Manifest fromJson(byte[] json) {
		return JSON.readValue(json, Manifest.class);
	}

	public Sha256Digest digest() {
		return Sha256Digest.of(toJson());
	}

	public Map<String, ManifestEntry> byPath() {
		return this.files.stream().collect(Collectors.toMap(ManifestEntry::path, Function.identity()));
	}

}
