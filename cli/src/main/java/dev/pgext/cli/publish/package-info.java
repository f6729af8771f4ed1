/**
 * Changing a release on the registry: {@code pgext publish} uploads the artifacts of
 * {@code pgext package} with a progress bar, {@code pgext yank}, {@code unyank} and
 * {@code deprecate} manage its lifecycle.
 */
package dev.pgext.cli.publish;
