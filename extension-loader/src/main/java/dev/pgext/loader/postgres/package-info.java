/**
 * The compute's Postgres as a supervised child process: initdb when the data directory is
 * empty, stop a postmaster a killed loader left on it, start unprivileged with a
 * parent-death signal, wait for connections to this server, report a crash, stop on
 * close.
 */
package dev.pgext.loader.postgres;
