/**
 * CycloneDX JSON as the bundle builder and the registry write it. Needs
 * {@code cyclonedx-core-java}, which only the modules that write SBOMs declare.
 */
package dev.pgext.model.sbom;
