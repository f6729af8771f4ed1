/**
 * Finding extensions: {@code pgext search} (the registry's full-text search) and
 * {@code pgext info NAME}.
 */
package dev.pgext.cli.find;
