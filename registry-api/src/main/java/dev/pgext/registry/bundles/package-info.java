/**
 * The registry of Postgres bundles built by CI: which bundle digests exist, for which
 * Postgres versions, with their manifests. The bytes stay in the store; the registry
 * checks they are there.
 */
package dev.pgext.registry.bundles;
