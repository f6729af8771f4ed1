/**
 * The extension loader: the sidecar next to a compute node that places extension files
 * and starts Postgres.
 */
package dev.pgext.loader;
