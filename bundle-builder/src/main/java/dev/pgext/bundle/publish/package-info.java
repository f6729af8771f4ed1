/**
 * {@code bundle-builder publish}: stores a bundle under its digest in S3, written once,
 * and registers it with the registry.
 */
package dev.pgext.bundle.publish;
