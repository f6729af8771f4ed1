/**
 * {@code bundle-builder fetch}: what a storage node runs to get the bundle its pin file
 * names, checked against the pin and the manifest and placed atomically.
 */
package dev.pgext.bundle.fetch;
