package dev.pgext.importer.api;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;

import dev.pgext.service.openapi.ProblemResponseDocuments;
import dev.pgext.service.problem.ProblemTypes;

/**
 * The OpenAPI 3.1 description served at {@code /v3/api-docs}: the importer's name,
 * version (the project's, from the build) and purpose, and each operation's problem
 * answers.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentConfiguration {

	/** The problem types of what the importer answers before its controllers run. */
	@Bean
	ProblemTypes importerProblemTypes() {
		return ProblemAdvice.TYPES;
	}

	@Bean
	OpenAPI importerOpenApi(ObjectProvider<BuildProperties> build) {
		BuildProperties properties = build.getIfAvailable();
		return new OpenAPI().info(new Info().title("pgext PGDATA importer API")
			.description("""
					Creates a timeline of a tenant shard by importing a PostgreSQL data directory (PGDATA) \
					uploaded to S3 into image layers; reads an import's status, retries a failed one, cancels \
					one in progress. Creation is idempotent per idempotency key and answers once the import \
					is durably recorded; the work goes on in the background.

					Neon's pageserver route `POST /v1/tenant/{tenant_shard_id}/timeline` is accepted too, with \
					Neon's body and answer (see docs/importer.md for what is used of it).

					The API takes no credentials: expose it only to the control plane, inside the cluster. \
					JSON field names are snake_case. Every error is an RFC 9457 problem \
					(`application/problem+json`) whose `type` names the error kind, one URI per kind under \
					`https://pgext.dev/problems/`.""")
			.version((properties != null) ? properties.getVersion() : "development"));
	}

	/**
	 * The importer's problem answers. Every operation reads or writes the storage bucket
	 * (503 when it does not answer) and can fail (500); 400 and 404 follow from an
	 * operation's parameters and body; the rest each controller declares with
	 * {@code @ProblemResponses}.
	 */
	@Bean
	ProblemResponseDocuments importerProblemResponses() {
		return ProblemResponseDocuments.builder()
			.problem(HttpStatus.BAD_REQUEST, "BadRequest",
					"A malformed tenant, shard or timeline id, or a body that is not the expected JSON or breaks its "
							+ "rules (invalid-request); the detail names the field. An input location in the "
							+ "importer's storage bucket under its output prefix tenants/ (location-overlaps-output)")
			.problem(HttpStatus.FORBIDDEN, "Forbidden",
					"The input bucket is not one this importer reads from (bucket-not-allowed)")
			.problem(HttpStatus.NOT_FOUND, "NotFound",
					"The tenant has no such shard here (unknown-shard), or the shard has no import of that timeline "
							+ "(timeline-not-found)")
			.problem(HttpStatus.CONTENT_TOO_LARGE, "ContentTooLarge",
					"The request body is larger than the importer reads, max-request-body (body-too-large): "
							+ "refused before it is read whole, whether its length is declared or it is chunked")
			.problem(HttpStatus.CONFLICT, "Conflict",
					"The timeline exists with another idempotency key or location (idempotency-conflict), or the "
							+ "import is in a state that does not allow this (import-finished, import-not-failed)")
			.problem(HttpStatus.SERVICE_UNAVAILABLE, "ServiceUnavailable",
					"The storage bucket does not answer (store-unavailable); retry later")
			.problem(HttpStatus.INTERNAL_SERVER_ERROR, "InternalError",
					"The importer could not complete the request (internal-error); retry later")
			.property("msg", "The detail again, on Neon's route only: where Neon's pageserver puts its error text")
			.everyOperation(HttpStatus.SERVICE_UNAVAILABLE, HttpStatus.INTERNAL_SERVER_ERROR)
			.build();
	}

}
