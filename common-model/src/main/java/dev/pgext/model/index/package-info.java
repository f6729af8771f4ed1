/**
 * The {@code ext_index.json} format: what the registry writes per scope and major, and
 * what the loader reads to know every available extension, its files and their digests.
 */
package dev.pgext.model.index;
