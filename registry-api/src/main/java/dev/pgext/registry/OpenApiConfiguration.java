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

import dev.pgext.registry.caller.Caller;

/**
 * The OpenAPI 3.1 description served at {@code /v3/api-docs}: the registry's name, version
 * (the project's, from the build) and purpose, and the bearer token scheme. Each operation's
 * problem answers are added by {@code problem.ProblemResponseDocuments}.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

	static final String TOKEN_SCHEME = "token";

	static {
		// the caller comes from the Authorization header, not from a request parameter
		SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
		// a JSON tree (the stored META.json, an operation's result) is any JSON object, not
		// the accessors of Jackson's node class
		SpringDocUtils.getConfig()
			.replaceWithSchema(JsonNode.class, new ObjectSchema().description("Any JSON object"));
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

}
