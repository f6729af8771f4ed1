/**
 * CycloneDX SBOM documents as the registry accepts and serves them: the schema check of a
 * bundle's SBOM at registration, and the signed answer of a bundle's or a release's SBOM.
 * Used by the bundles and catalog features.
 */
package dev.pgext.registry.sbom;
