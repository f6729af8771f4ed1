/**
 * The registry's connection to the extension store (S3): the store bean with its circuit
 * breaker, its health check, and presigned download links.
 */
package dev.pgext.registry.storage;
