package dev.pgext.registry.publish;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.pgext.model.index.ExtFile;

/**
 * A release as the registry published it.
 *
 * @param distribution the distribution name
 * @param version the release version
 * @param tenant the tenant of a private release, or {@code null} for a public one
 * @param publishedBy who published it
 * @param publishedAt when
 * @param extensions every extension of the release, per Postgres major
 */
record PublishedRelease(String distribution, String version, String tenant,
		@JsonProperty("published_by") String publishedBy, @JsonProperty("published_at") Instant publishedAt,
		List<Extension> extensions) {

	/**
	 * One extension of the release for one Postgres major and platform.
	 *
	 * @param name the extension name
	 * @param pgMajor the Postgres major
	 * @param version the extension version this release installs
	 * @param defaultVersion {@code default_version} of the control file
	 * @param libraries libraries it provides
	 * @param requires extensions it requires
	 * @param preload its preload need
	 * @param trusted whether non-superusers may install it
	 * @param superuser whether installing it needs a superuser
	 * @param files its files with their digests
	 * @param platform the platform its libraries are built for
	 */
	record Extension(String name, @JsonProperty("pg_major") int pgMajor, String version,
			@JsonProperty("default_version") String defaultVersion, List<String> libraries, List<String> requires,
			String preload, boolean trusted, boolean superuser, List<ExtFile> files, String platform) {
	}

}
