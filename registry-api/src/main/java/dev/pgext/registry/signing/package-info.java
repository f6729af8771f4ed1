/**
 * The registry's signing key and the signatures of what it writes and serves: each
 * {@code ext_index.json} and the mirror's {@code snapshot.json} (by the projection),
 * compute manifests and bundle pin files. Used by the projection, manifest and bundles
 * features.
 */
package dev.pgext.registry.signing;
