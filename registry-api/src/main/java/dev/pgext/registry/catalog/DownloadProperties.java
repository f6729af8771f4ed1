package dev.pgext.registry.catalog;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * File downloads ({@code GET /api/v1/files/{sha256}}).
 *
 * @param redirectPublic whether a public file is answered, by default, with a 302 to a
 * presigned URL of the store instead of being streamed through the registry; turn it on
 * where every client can reach the store (or a CDN in front of it). A request's
 * {@code redirect} parameter overrides it either way; private files are streamed unless
 * the request asks for a redirect.
 * @param memoryCacheSize memory for the contents of small public files, served without a
 * store request; {@code 0} keeps none
 * @param memoryMaxFileSize the largest public file kept in memory
 */
@ConfigurationProperties("pgext.registry.downloads")
record DownloadProperties(@DefaultValue("false") boolean redirectPublic, @DefaultValue("64MB") DataSize memoryCacheSize,
		@DefaultValue("1MB") DataSize memoryMaxFileSize) {
}
