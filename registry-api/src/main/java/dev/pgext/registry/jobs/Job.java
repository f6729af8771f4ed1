package dev.pgext.registry.jobs;

import tools.jackson.databind.JsonNode;

/**
 * A claimed job, as its handler sees it.
 *
 * @param id the job's id, also its operation id
 * @param kind what to do, such as {@code mirror.refresh}
 * @param payload the job's arguments
 * @param attempt this attempt's number, 1 for the first
 */
public record Job(long id, String kind, JsonNode payload, int attempt) {
}
