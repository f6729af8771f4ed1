package dev.pgext.importer.plan;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import tools.jackson.databind.json.JsonMapper;

import dev.pgext.model.Sha256Digest;

/**
 * The frozen listing of an import's input: every later read must match it, so an input that
 * changes during the import fails the import instead of mixing two versions.
 *
 * @param format format version of this document
 * @param files the files, sorted by path
 */
public record Manifest(int format, List<ManifestEntry> files) {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	public Manifest {
		files = files.stream().sorted(Comparator.comparing(ManifestEntry::path)).toList();
	}

	public static Manifest of(List<ManifestEntry> files) {
		return new Manifest(1, files);
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
