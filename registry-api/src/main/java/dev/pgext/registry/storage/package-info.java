/**
 * The registry's connection to the extension store (S3) and its health check.
 */
package dev.pgext.registry.storage;
