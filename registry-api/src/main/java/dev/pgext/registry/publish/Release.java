package dev.pgext.registry.publish;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Column;
import org.springframework.data.relational.core.mapping.MappedCollection;
import org.springframework.data.relational.core.mapping.Table;

import dev.pgext.registry.Jsonb;

/**
 * The release aggregate: a release, its extensions per Postgres major and their files,
 * saved in one call. Versions are immutable, so an aggregate is inserted once; a yank
 * changes only the release row ({@link ReleaseRepository#yank}).
 *
 * @param id the database id, {@code null} until saved
 * @param scope the stored scope ({@code ''} for public)
 * @param distribution the distribution name
 * @param version the release version
 * @param summary one-line summary (META {@code abstract})
 * @param description longer description
 * @param license license
 * @param tags tags
 * @param metadata META.json as uploaded
 * @param publishedBy the publishing user's id
 * @param publishedAt when it was published
 * @param yankedAt when it was yanked, or {@code null}
 * @param yankReason why
 * @param yankedBy who yanked it
 * @param extensions its extensions, one per name, Postgres major and platform
 * @param metadataText META.json exactly as uploaded, or {@code null} for older releases
 * @param sourceSha256 the source distribution's blob, or {@code null} when it has none
 * @param sourceSha1 the source distribution's SHA-1, hex
 * @param sourceSize the source distribution's size in bytes
 * @param readme the release's README (Markdown or plain text), or {@code null}
 */
@Table("release")
public record Release(@Id Long id, String scope, String distribution, String version,
		@Column("abstract") String summary, String description, String license, List<String> tags, Jsonb metadata,
		Long publishedBy, Instant publishedAt, Instant yankedAt, String yankReason, Long yankedBy,
		@MappedCollection(idColumn = "release_id") Set<Extension> extensions, String metadataText, String sourceSha256,
		String sourceSha1, Long sourceSize, String readme) {

	/**
	 * One extension of a release for one Postgres major and platform.
	 *
	 * @param id the database id, {@code null} until saved
	 * @param scope the stored scope, as the release's
	 * @param pgMajor the Postgres major
	 * @param name the extension name
	 * @param defaultVersion {@code default_version} of the control file
	 * @param control the control file's text
	 * @param comment the control file's comment
	 * @param libraries libraries it provides
	 * @param requires extensions it requires
	 * @param preload its preload need
	 * @param trusted whether non-superusers may install it
	 * @param superuser whether installing it needs a superuser
	 * @param platform the platform its libraries are built for, such as
	 * {@code linux-amd64-gnu}
	 * @param files its files
	 */
	@Table("release_extension")
	public record Extension(@Id Long id, String scope, int pgMajor, String name, String defaultVersion, String control,
			String comment, List<String> libraries, List<String> requires, String preload, boolean trusted,
			boolean superuser, String platform, @MappedCollection(idColumn = "extension_id") Set<File> files) {
	}

	/**
	 * One file of an extension.
	 *
	 * @param path the installation path
	 * @param sha256 the hex digest of its content
	 * @param size its size in bytes
	 */
	@Table("release_file")
	public record File(String path, String sha256, long size) {
	}

}
