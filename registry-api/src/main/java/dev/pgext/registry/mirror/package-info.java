/**
 * The static mirror of the public registry on S3 ({@code mirror/}): JSON files a mirror
 * copies and serves with any static web server, checked by a snapshot of their digests,
 * as a projection of the catalog.
 */
package dev.pgext.registry.mirror;
