/**
 * How a command ends: the documented exit codes and the exception that carries one to
 * {@code PgextCli}. Used by every command package; depends on nothing of the CLI.
 */
package dev.pgext.cli.exit;
