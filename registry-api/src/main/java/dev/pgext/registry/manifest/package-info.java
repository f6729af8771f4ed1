/**
 * What computes read: the compute manifest that merges a tenant's private extensions over
 * the public ones, read from the catalog, and the per-scope {@code ext_index.json} and
 * seed layout as a projection of the catalog into the store.
 */
package dev.pgext.registry.manifest;
