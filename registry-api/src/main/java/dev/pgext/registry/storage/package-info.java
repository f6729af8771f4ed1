/**
 * The registry's connection to the extension store (S3): the store bean with its circuit
 * breaker, its health check, presigned download links, and the content-addressed blobs
 * with their recorded ETags.
 */
package dev.pgext.registry.storage;
