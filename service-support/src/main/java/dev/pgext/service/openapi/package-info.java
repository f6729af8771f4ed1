/**
 * The problem answers of a service's OpenAPI document: one shared {@code ProblemDetail}
 * schema and one shared response per status, referenced from every operation; services
 * declare theirs with {@link dev.pgext.service.openapi.ProblemResponses}.
 */
package dev.pgext.service.openapi;
