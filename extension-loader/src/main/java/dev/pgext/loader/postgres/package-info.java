/**
 * The compute's Postgres as a supervised child process: initdb when the data directory is
 * empty, start unprivileged, wait for connections, report a crash, stop on close.
 */
package dev.pgext.loader.postgres;
