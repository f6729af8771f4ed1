/**
 * Real infrastructure for tests and local runs: a PostgreSQL server, an S3 endpoint, and
 * real Postgres installations of every supported major. Used by every module's tests and
 * by the local stack; never by production code paths.
 */
package dev.pgext.testsupport;
