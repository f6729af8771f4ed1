package dev.pgext.loader;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.BooleanSchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI description served at {@code /v3/api-docs}. The JIT endpoint is mapped with a
 * pattern (its filename may hold {@code /}), which the generated document cannot name, so it is
 * described here as Neon's {@code compute_ctl} names it.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

	static final String JIT_PATH = "/extension_server/{filename}";

	@Bean
	OpenAPI loaderOpenApi() {
		return new OpenAPI().info(new Info().title("pgext extension loader")
			.description("The sidecar of one compute: takes its spec (its own or a Neon compute spec), places "
					+ "extension files, starts Postgres and answers Postgres' just-in-time requests for missing "
					+ "files. Errors are RFC 9457 problems with types under https://pgext.dev/problems/.")
			.version("v1"));
	}

	@Bean
	OpenApiCustomizer extensionServerPath() {
		return (openApi) -> {
			if (openApi.getPaths() == null) {
				return;
			}
			openApi.getPaths().keySet().removeIf((path) -> path.startsWith("/extension_server/"));
			if (openApi.getComponents() == null) {
				openApi.components(new Components());
			}
			if (openApi.getComponents().getSchemas() == null
					|| !openApi.getComponents().getSchemas().containsKey("ProblemDetail")) {
				openApi.getComponents().addSchemas("ProblemDetail", problemSchema());
			}
			openApi.getPaths().addPathItem(JIT_PATH, new PathItem().post(jitOperation()));
		};
	}

	/** RFC 9457's members and the {@code reason} a failed download adds. */
	private static Schema<?> problemSchema() {
		return new ObjectSchema().description("RFC 9457 problem")
			.addProperty("type", new StringSchema().format("uri"))
			.addProperty("title", new StringSchema())
			.addProperty("status", new IntegerSchema())
			.addProperty("detail", new StringSchema())
			.addProperty("instance", new StringSchema().format("uri"))
			.addProperty("reason", new StringSchema().description("why a download failed: digest-mismatch, "
					+ "missing, unavailable, local-io"));
	}

	private static Operation jitOperation() {
		Schema<?> problem = new Schema<>().$ref("#/components/schemas/ProblemDetail");
		Content problemContent = new Content().addMediaType("application/problem+json", new MediaType().schema(problem));
		return new Operation().operationId("placeExtensionFile")
			.addTagsItem("extension-server")
			.summary("Place the extension that owns a file, now")
			.description("What Postgres asks for before it opens a missing file (Neon's extension_server call). "
					+ "The owning extension and its requires closure jump the download queue; the call returns "
					+ "once every file is in place.")
			.addParametersItem(new Parameter().in("path")
				.name("filename")
				.required(true)
				.description("an extension name, a file name, a script directory, or with is_library a library "
						+ "(hstore, hstore.so, $libdir/hstore)")
				.schema(new StringSchema()))
			.addParametersItem(new Parameter().in("query")
				.name("is_library")
				.required(false)
				.description("whether filename names a library")
				.schema(new BooleanSchema()._default(false)))
			.responses(new ApiResponses()
				.addApiResponse("200", new ApiResponse()
					.description("every file of the owning extension is in place; X-Pgext-Extension names it"))
				.addApiResponse("404", new ApiResponse()
					.description("no extension available to this compute owns the file (unknown-extension-file)")
					.content(problemContent))
				.addApiResponse("409", new ApiResponse().description("no compute started yet (compute-not-started)")
					.content(problemContent))
				.addApiResponse("500", new ApiResponse()
					.description("the download failed (download-failed, with reason) or timed out (download-timeout)")
					.content(problemContent)));
	}

}
