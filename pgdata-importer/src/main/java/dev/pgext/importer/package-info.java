/**
 * The PGDATA importer: turns a PGDATA dump in S3 into image layers, idempotently and
 * resumably.
 */
package dev.pgext.importer;
