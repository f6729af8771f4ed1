/**
 * The PGXN interface: a PGXN API root ({@code /pgxn/index.json}) and the documents behind
 * its templates, in PGXN's shapes, built from the public catalog; used by PGXN clients
 * and by the static mirror's projection.
 */
package dev.pgext.registry.pgxn;
