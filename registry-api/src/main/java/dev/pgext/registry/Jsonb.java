package dev.pgext.registry;

/**
 * A JSON document stored in a {@code jsonb} column of an aggregate, kept as its text.
 *
 * @param text the JSON text
 */
public record Jsonb(String text) {
}
