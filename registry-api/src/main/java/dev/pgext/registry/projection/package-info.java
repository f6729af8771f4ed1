/**
 * Everything in the store that is derived from the catalog ({@code ext_index.json} files,
 * seed-layout copies, the static mirror) as projections: one idempotent reconciler, the
 * jobs that run it after each change and periodically, and the sources the other features
 * register to say what their projection holds.
 */
package dev.pgext.registry.projection;
