/**
 * The {@code pgext} command-line client: the top command, exit codes and the error type
 * every command fails with. The feature packages beside it hold the commands.
 */
package dev.pgext.cli;
