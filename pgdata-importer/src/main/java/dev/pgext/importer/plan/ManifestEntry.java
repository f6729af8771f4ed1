package dev.pgext.importer.plan;

/**
 * One input object as listed when the manifest was frozen.
 *
 * @param path path relative to the PGDATA root ({@code base/5/1259})
 * @param size size in bytes
 * @param etag the object's ETag at listing time
 */
public record ManifestEntry(String path, long size, String etag) {

}
