/**
 * Making a release: {@code pgext init} writes a starter META.json, {@code pgext package}
 * builds an extension with PGXS for each {@code pg_config} (or takes a ready install
 * tree), runs the registry's checks that can run locally, and writes one
 * {@code pg<major>.tar.gz} per major in the layout the registry takes.
 */
package dev.pgext.cli.pack;
