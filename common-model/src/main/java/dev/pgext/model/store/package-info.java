/**
 * The object-store facade every service uses for S3: conditional writes, ranged reads,
 * paginated listing, retry on throttling and server errors only.
 */
package dev.pgext.model.store;
