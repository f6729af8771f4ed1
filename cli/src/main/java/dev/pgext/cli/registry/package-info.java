/**
 * Talking to a registry: where it is and which token to send (options, environment, the
 * credentials file), the HTTP client every command uses, and its problems as readable
 * errors.
 */
package dev.pgext.cli.registry;
