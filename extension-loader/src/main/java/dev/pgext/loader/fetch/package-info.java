/**
 * Reading indexes and files from the extension store (S3 or the registry) and placing
 * files into a Postgres installation: streamed, verified, fsynced and renamed into place,
 * through a size-bounded node cache.
 */
package dev.pgext.loader.fetch;
