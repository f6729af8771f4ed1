/**
 * What computes read: the per-scope {@code ext_index.json} files the registry keeps in
 * the store, and the compute manifest that merges a tenant's private extensions over the
 * public ones.
 */
package dev.pgext.registry.manifest;
