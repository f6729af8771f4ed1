/**
 * The registry of Postgres bundles built by CI (which bundle digests exist, for which
 * Postgres versions, with their manifests; the bytes stay in the store) and the reviewed
 * bundle pins of each environment.
 */
package dev.pgext.registry.bundles;
