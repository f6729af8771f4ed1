package dev.pgext.registry.problem;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;

import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;

/**
 * Documents the problem answers of every operation, so that a client generator knows each
 * error's status and shape: one shared {@code ProblemDetail} schema and one shared response
 * per status, referenced from each operation.
 * <p>
 * Every operation can answer 401 (a token that is unknown, expired or revoked is refused
 * wherever it is presented) and 500; one with parameters or a body can answer 400 (a value
 * the registry cannot read); one with a path variable can answer 404. What else an operation
 * can answer (403, 409, 413, 422, 503) its controller declares with {@link ProblemResponses},
 * next to the code that throws it.
 */
@Component
class ProblemResponseDocuments implements OperationCustomizer, OpenApiCustomizer {

	static final String SCHEMA = "ProblemDetail";

	private static final String PROBLEM_JSON = "application/problem+json";

	private static final Map<HttpStatus, Documented> DOCUMENTED = new LinkedHashMap<>();

	static {
		document(HttpStatus.BAD_REQUEST, "BadRequest",
				"A parameter, part or body the registry cannot read (malformed name, version, digest, JSON, multipart)");
		document(HttpStatus.UNAUTHORIZED, "Unauthorized",
				"No token where one is needed, or a token that is unknown, expired or revoked");
		document(HttpStatus.FORBIDDEN, "Forbidden", "The token lacks the scope, tenant or ownership this needs");
		document(HttpStatus.NOT_FOUND, "NotFound", "Nothing at this address is visible to the caller");
		document(HttpStatus.CONFLICT, "Conflict",
				"The request contradicts the registry's state (it exists already, it is already in that state)");
		document(HttpStatus.CONTENT_TOO_LARGE, "ContentTooLarge",
				"The upload, or one of its parts, is larger than the registry accepts");
		document(HttpStatus.UNPROCESSABLE_CONTENT, "UnprocessableContent",
				"The request is readable but its content is refused; the detail names what and why");
		document(HttpStatus.SERVICE_UNAVAILABLE, "ServiceUnavailable",
				"The extension store is unreachable or the registry is at its limit; retry later (after Retry-After "
						+ "when it is given)");
		document(HttpStatus.INTERNAL_SERVER_ERROR, "InternalError", "The registry failed; retry later");
	}

	private static void document(HttpStatus status, String name, String description) {
		DOCUMENTED.put(status, new Documented(name, description));
	}

	/** The statuses {@link ProblemResponses} may name. */
	static Set<HttpStatus> documented() {
		return DOCUMENTED.keySet();
	}

	@Override
	public Operation customize(Operation operation, HandlerMethod handler) {
		Set<HttpStatus> statuses = new TreeSet<>(Comparator.comparingInt(HttpStatus::value));
		statuses.add(HttpStatus.UNAUTHORIZED);
		statuses.add(HttpStatus.INTERNAL_SERVER_ERROR);
		boolean parameters = operation.getParameters() != null && !operation.getParameters().isEmpty();
		if (parameters || operation.getRequestBody() != null) {
			statuses.add(HttpStatus.BAD_REQUEST);
		}
		if (parameters && operation.getParameters().stream().anyMatch((p) -> "path".equals(p.getIn()))) {
			statuses.add(HttpStatus.NOT_FOUND);
		}
		for (ProblemResponses declared : new ProblemResponses[] {
				AnnotatedElementUtils.findMergedAnnotation(handler.getBeanType(), ProblemResponses.class),
				AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(), ProblemResponses.class) }) {
			if (declared != null) {
				for (HttpStatus status : declared.value()) {
					if (!DOCUMENTED.containsKey(status)) {
						throw new IllegalStateException(handler + " declares problem status " + status
								+ ", which has no shared response; document it in " + getClass().getSimpleName());
					}
					statuses.add(status);
				}
			}
		}
		ApiResponses responses = (operation.getResponses() != null) ? operation.getResponses() : new ApiResponses();
		for (HttpStatus status : statuses) {
			responses.putIfAbsent(Integer.toString(status.value()),
					new ApiResponse().$ref("#/components/responses/" + DOCUMENTED.get(status).name()));
		}
		operation.setResponses(responses);
		return operation;
	}

	@Override
	public void customise(OpenAPI openApi) {
		openApi.getComponents().addSchemas(SCHEMA, problemSchema());
		DOCUMENTED.forEach((status, documented) -> {
			ApiResponse response = new ApiResponse().description(documented.description())
				.content(new Content().addMediaType(PROBLEM_JSON,
						new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + SCHEMA))));
			if (status == HttpStatus.UNAUTHORIZED) {
				response.addHeaderObject(HttpHeaders.WWW_AUTHENTICATE, header("Bearer realm=\"pgext\": the registry takes a bearer token"));
			}
			if (status == HttpStatus.SERVICE_UNAVAILABLE) {
				response.addHeaderObject(HttpHeaders.RETRY_AFTER,
						header("Seconds to wait, when the registry is at its upload limit"));
			}
			openApi.getComponents().addResponses(documented.name(), response);
		});
	}

	private static Header header(String description) {
		return new Header().description(description).schema(new StringSchema());
	}

	/**
	 * RFC 9457's members as the registry fills them; {@code type} is stable per error kind
	 * and is what a client branches on.
	 */
	@SuppressWarnings("rawtypes")
	private static Schema problemSchema() {
		return new ObjectSchema()
			.description("An RFC 9457 problem. Its type is one URI per error kind under https://pgext.dev/problems/.")
			.addProperty("type",
					new StringSchema().format("uri")
						.description("The error kind, such as https://pgext.dev/problems/version-exists"))
			.addProperty("title", new StringSchema().description("The status's reason phrase"))
			.addProperty("status", new IntegerSchema().description("The HTTP status"))
			.addProperty("detail", new StringSchema().description("What went wrong with this request, for a human"))
			.addProperty("instance", new StringSchema().format("uri-reference").description("The request path"))
			.addRequiredItem("type")
			.addRequiredItem("status")
			.additionalProperties(Boolean.TRUE);
	}

	private record Documented(String name, String description) {
	}

}
