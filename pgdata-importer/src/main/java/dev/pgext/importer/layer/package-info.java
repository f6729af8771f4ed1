/**
 * The image layer file format: a deterministic writer and a verifying reader with point
 * lookups.
 */
package dev.pgext.importer.layer;
