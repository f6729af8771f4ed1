/**
 * Signing in to a registry: {@code pgext login} stores a verified token,
 * {@code pgext whoami} shows whom the registry takes the caller for.
 */
package dev.pgext.cli.account;
