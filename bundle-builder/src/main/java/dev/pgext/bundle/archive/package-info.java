/**
 * The bundle format: the {@code bundle.json} manifest, the reproducible {@code tar.zst}
 * archive, and the checks of an extracted tree against its manifest, shared by build,
 * verify and fetch.
 */
package dev.pgext.bundle.archive;
