package dev.pgext.registry;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.utils.SpringDocUtils;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.pgext.registry.auth.Caller;

/**
 * The OpenAPI 3.1 description served at {@code /v3/api-docs}, with the bearer token
 * scheme every mutation uses.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

	static {
		// the caller comes from the Authorization header, not from a request parameter
		SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
	}

	@Bean
	OpenAPI registryOpenApi() {
		return new OpenAPI()
			.info(new Info().title("pgext registry")
				.description("Publish, browse and search Postgres extensions; compute manifests; Postgres bundles. "
						+ "Errors are RFC 9457 problems with types under https://pgext.dev/problems/.")
				.version("v1"))
			.components(new Components().addSecuritySchemes("token",
					new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")))
			.addSecurityItem(new SecurityRequirement().addList("token"));
	}

}
