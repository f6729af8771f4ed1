/**
 * Import planning: the frozen input manifest and its deterministic split into jobs over
 * key ranges.
 */
package dev.pgext.importer.plan;
