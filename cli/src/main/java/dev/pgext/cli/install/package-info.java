/**
 * {@code pgext install}: resolves an extension and what it requires from the registry's
 * compute manifest, downloads the files for the installation's Postgres major, verifies
 * every sha256 and places them the way the extension loader does (common-model's
 * {@code FilePlacement}).
 */
package dev.pgext.cli.install;
