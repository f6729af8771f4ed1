/**
 * The Neon-compatible just-in-time endpoint Postgres calls over loopback when a library
 * or install script is missing.
 */
package dev.pgext.loader.jit;
