package dev.pgext.registry;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.utils.SpringDocUtils;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

import dev.pgext.registry.caller.Caller;
import dev.pgext.service.openapi.ProblemResponseDocuments;

/**
 * The OpenAPI 3.1 description served at {@code /v3/api-docs}: the registry's name,
 * version (the project's, from the build) and purpose, the bearer token scheme, and each
 * operation's problem answers.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

	static final String TOKEN_SCHEME = "token";

	static {
		// the caller comes from the Authorization header, not from a request parameter
		SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
		// a JSON tree (the stored META.json, an operation's result) is any JSON object,
		// not
		// the accessors of Jackson's node class
		SpringDocUtils.getConfig().replaceWithSchema(JsonNode.class, new ObjectSchema().description("Any JSON object"));
	}

	@Bean
	OpenAPI registryOpenApi(ObjectProvider<BuildProperties> build) {
		BuildProperties properties = build.getIfAvailable();
		return new OpenAPI()
			.info(new Info().title("pgext registry API")
				.description("""
						Publish, browse and search PostgreSQL extensions; the compute manifests that tell each \
						compute which extensions it may use; Postgres bundles and their reviewed pins; lifecycle \
						(yank, deprecate, transfer ownership); events and webhooks.

						Reads of public extensions need no token; everything else takes an API token as \
						`Authorization: Bearer <token>`. JSON field names are snake_case. Every error is an \
						RFC 9457 problem (`application/problem+json`) whose `type` names the error kind, one \
						URI per kind under `https://pgext.dev/problems/`.""")
				.version((properties != null) ? properties.getVersion() : "development"))
			.components(new Components().addSecuritySchemes(TOKEN_SCHEME,
					new SecurityScheme().type(SecurityScheme.Type.HTTP)
						.scheme("bearer")
						.description("An API token (pgx_...) created with POST /api/v1/tokens")))
			.addSecurityItem(new SecurityRequirement().addList(TOKEN_SCHEME))
			// anonymous reads are allowed too
			.addSecurityItem(new SecurityRequirement());
	}

	/**
	 * The registry's problem answers. Every operation can answer 401 (a token that is
	 * unknown, expired or revoked is refused wherever it is presented) and 500; 400 and
	 * 404 follow from an operation's parameters; what else an operation can answer (403,
	 * 409, 413, 422, 503) its controller declares with {@code @ProblemResponses}, next to
	 * the code that throws it.
	 */
	@Bean
	ProblemResponseDocuments registryProblemResponses() {
		return ProblemResponseDocuments.builder()
			.problem(HttpStatus.BAD_REQUEST, "BadRequest",
					"A parameter, part or body the registry cannot read (malformed name, version, digest, JSON, multipart)")
			.problem(HttpStatus.UNAUTHORIZED, "Unauthorized",
					"No token where one is needed, or a token that is unknown, expired or revoked")
			.header(HttpStatus.UNAUTHORIZED, HttpHeaders.WWW_AUTHENTICATE,
					"Bearer realm=\"pgext\": the registry takes a bearer token")
			.problem(HttpStatus.FORBIDDEN, "Forbidden", "The token lacks the scope, tenant or ownership this needs")
			.problem(HttpStatus.NOT_FOUND, "NotFound", "Nothing at this address is visible to the caller")
			.problem(HttpStatus.CONFLICT, "Conflict",
					"The request contradicts the registry's state (it exists already, it is already in that state)")
			.problem(HttpStatus.CONTENT_TOO_LARGE, "ContentTooLarge",
					"The upload, or one of its parts, is larger than the registry accepts")
			.problem(HttpStatus.UNPROCESSABLE_CONTENT, "UnprocessableContent",
					"The request is readable but its content is refused; the detail names what and why")
			.problem(HttpStatus.SERVICE_UNAVAILABLE, "ServiceUnavailable",
					"The extension store is unreachable or the registry is at its limit; retry later (after "
							+ "Retry-After when it is given)")
			.header(HttpStatus.SERVICE_UNAVAILABLE, HttpHeaders.RETRY_AFTER,
					"Seconds to wait, when the registry is at its upload limit")
			.problem(HttpStatus.INTERNAL_SERVER_ERROR, "InternalError", "The registry failed; retry later")
			.everyOperation(HttpStatus.UNAUTHORIZED, HttpStatus.INTERNAL_SERVER_ERROR)
			.build();
	}

}
