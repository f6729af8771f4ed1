package dev.pgext.loader;

import java.util.List;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.BooleanSchema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;

import dev.pgext.service.openapi.ProblemResponseDocuments;

/**
 * The OpenAPI description served at {@code /v3/api-docs}, with each operation's problem
 * answers. The JIT endpoint is mapped with a pattern (its filename may hold {@code /}),
 * which the generated document cannot name, so it is described here as Neon's
 * {@code compute_ctl} names it.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

	static final String JIT_PATH = "/extension_server/{filename}";

	@Bean
	OpenAPI loaderOpenApi() {
		return new OpenAPI().info(new Info().title("pgext extension loader")
			.description("The sidecar of one compute: takes its spec (its own or a Neon compute spec), places "
					+ "extension files, starts Postgres and answers Postgres' just-in-time requests for missing "
					+ "files. It listens on loopback and takes no credentials. Every error is an RFC 9457 problem "
					+ "(application/problem+json) whose type names the error kind, one URI per kind under "
					+ "https://pgext.dev/problems/.")
			.version("v1"));
	}

	/**
	 * The loader's problem answers. Every operation can fail (500); 400 follows from a
	 * body or parameters; the JIT endpoint's are set where it is described.
	 */
	@Bean
	ProblemResponseDocuments loaderProblemResponses() {
		return ProblemResponseDocuments.builder()
			.problem(HttpStatus.BAD_REQUEST, "BadRequest",
					"A spec or request the loader cannot read or accept (bad-request); the detail names what")
			.problem(HttpStatus.NOT_FOUND, "NotFound",
					"No extension available to this compute owns the file (unknown-extension-file)")
			.problem(HttpStatus.CONFLICT, "Conflict",
					"A compute already started (compute-already-started), or none started yet (compute-not-started)")
			.problem(HttpStatus.INTERNAL_SERVER_ERROR, "InternalError",
					"A download failed (download-failed, with its reason), the files were not in place in time "
							+ "(download-timeout), or the loader failed (internal-error)")
			.property("reason", "Why a download failed: digest-mismatch, missing, unavailable, local-io")
			.everyOperation(HttpStatus.INTERNAL_SERVER_ERROR)
			.build();
	}

	@Bean
	OpenApiCustomizer extensionServerPath() {
		return (openApi) -> {
			if (openApi.getPaths() == null) {
				return;
			}
			openApi.getPaths().keySet().removeIf((path) -> path.startsWith("/extension_server/"));
			openApi.getPaths().addPathItem(JIT_PATH, new PathItem().post(jitOperation()));
		};
	}

	private static Operation jitOperation() {
		return new Operation().operationId("placeExtensionFile")
			.addTagsItem("extension-server")
			.summary("Place the extension that owns a file, now")
			.description("What Postgres asks for before it opens a missing file (Neon's extension_server call). "
					+ "The owning extension and its requires closure jump the download queue; the call returns "
					+ "once every file is in place.")
			// Postgres on the same machine calls it; the loader listens on loopback only
			.security(List.of())
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
			.responses(
					new ApiResponses()
						.addApiResponse("200",
								new ApiResponse().description(
										"every file of the owning extension is in place; X-Pgext-Extension names it"))
						.addApiResponse("400", shared("BadRequest"))
						.addApiResponse("404", shared("NotFound"))
						.addApiResponse("409", shared("Conflict"))
						.addApiResponse("500", shared("InternalError")));
	}

	private static ApiResponse shared(String name) {
		return new ApiResponse().$ref("#/components/responses/" + name);
	}

}
