/**
 * Publishing releases: reading and checking uploaded artifacts, deriving what the loader
 * needs, writing blobs, seed-layout files and indexes to the store, and the catalog rows,
 * in an order that never shows a reader a dangling reference. Also distribution
 * ownership.
 */
package dev.pgext.registry.publish;
