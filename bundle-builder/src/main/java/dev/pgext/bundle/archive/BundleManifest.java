package dev.pgext.bundle.archive;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.pgext.model.Sha256Digest;

/**
 * {@code bundle.json}: what a bundle holds and how it was made. Every entry of the
 * archive but {@code bundle.json} itself is listed in {@link #files()}, so a consumer can
 * check an extracted tree completely.
 *
 * @param format the manifest format version, {@value #FORMAT}
 * @param variant {@code chroot} or {@code static}
 * @param builder the program that built the bundle
 * @param sourceDateEpoch the timestamp every archive entry carries (seconds since the
 * epoch)
 * @param loader the dynamic loader's path inside the bundle, {@code null} for static
 * bundles
 * @param glibcVersion the version of the bundled glibc, {@code null} when none is bundled
 * @param postgres one entry per PG major, keyed by the major ({@code "15"})
 * @param unresolved libraries that optional modules need but the build could not find,
 * keyed by the module's path; those modules fail to load, everything else is complete
 * @param hostFiles every file copied from the build host (libraries the inputs lack, the
 * loader, the shell, {@code env}, {@code locale} and its data), with the package it came
 * from; sorted by path
 * @param sbom the path of the bundle's CycloneDX SBOM ({@value #SBOM_PATH}), listed in
 * {@code files} like every other file; {@code null} in bundles built before SBOMs
 * @param files every directory, file and symbolic link, sorted by path
 */
public record BundleManifest(int format, Variant variant, BuilderInfo builder, long sourceDateEpoch, String loader,
		String glibcVersion, Map<String, PostgresEntry> postgres, Map<String, List<String>> unresolved,
		List<HostFile> hostFiles, String sbom, List<FileEntry> files) {

	/** The manifest format this code writes and reads. */
	public static final int FORMAT = 1;

	/** The manifest's own path in the bundle. */
	public static final String PATH = "bundle.json";

	/** The CycloneDX SBOM's path in the bundle. */
	public static final String SBOM_PATH = "sbom.cdx.json";

	public BundleManifest {
		postgres = (postgres != null) ? new TreeMap<>(postgres) : new TreeMap<>();
		unresolved = (unresolved != null) ? new TreeMap<>(unresolved) : new TreeMap<>();
		hostFiles = (hostFiles != null) ? List.copyOf(hostFiles) : List.of();
		files = (files != null) ? List.copyOf(files) : List.of();
	}

	/** The exact Postgres version of each major, such as {@code "15" -> "15.19"}. */
	public Map<String, String> pgVersions() {
		Map<String, String> versions = new TreeMap<>();
		this.postgres.forEach((major, entry) -> versions.put(major, entry.version()));
		return versions;
	}

	/**
	 * How a bundle runs its binaries.
	 */
	public enum Variant {

		/**
		 * Dynamically linked binaries with their whole library closure, run in a chroot
		 * of the bundle.
		 */
		@JsonProperty("chroot")
		CHROOT,

		/** Statically linked binaries. */
		@JsonProperty("static")
		STATIC;

		/** Parses {@code chroot} or {@code static}. */
		public static Variant parse(String text) {
			for (Variant variant : values()) {
				if (variant.label().equalsIgnoreCase(text)) {
					return variant;
				}
			}
			throw new IllegalArgumentException("unknown variant '" + text + "' (expected chroot or static)");
		}

		public String label() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

	/**
	 * The program that built a bundle.
	 *
	 * @param name the program name
	 * @param version its version
	 */
	public record BuilderInfo(String name, String version) {
	}

	/**
	 * One PG major in the bundle.
	 *
	 * @param version the exact version, such as {@code 15.19}
	 * @param versionOutput what {@code postgres --version} printed, such as
	 * {@code postgres (PostgreSQL) 15.19}
	 * @param icuVersion the version of the ICU libraries this major runs with,
	 * {@code null} without ICU
	 * @param input the installation the major was built from
	 */
	public record PostgresEntry(String version, String versionOutput, String icuVersion, InputInfo input) {
	}

	/**
	 * A file the build copied from the build host.
	 *
	 * @param path its path in the bundle
	 * @param source the real path on the build host it was copied from
	 * @param packageName the host package that installed it ({@code libc6:amd64}), or
	 * {@value #UNPACKAGED} when no package manager knows the file
	 * @param version the version of that package, {@code null} when unpackaged
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record HostFile(String path, String source, @JsonProperty("package") String packageName, String version) {

		/** The package of a host file that no package manager installed. */
		public static final String UNPACKAGED = "unpackaged";

	}

	/**
	 * A build input.
	 *
	 * @param kind {@code jar} (a binaries artifact) or {@code directory}
	 * @param name the jar's file name or the directory's name
	 * @param sha256 the jar's digest, or for a directory the digest of its sorted file
	 * listing (path, mode, content digest)
	 */
	public record InputInfo(String kind, String name, Sha256Digest sha256) {
	}

}
