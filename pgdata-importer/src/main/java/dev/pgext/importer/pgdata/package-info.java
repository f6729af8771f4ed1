/**
 * Postgres on-disk formats the importer reads: the control file, file-name grammar,
 * relation maps and page verification.
 */
package dev.pgext.importer.pgdata;
