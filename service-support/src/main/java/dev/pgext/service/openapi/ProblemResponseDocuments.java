package dev.pgext.service.openapi;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.swagger.v3.oas.models.Components;
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
import org.springframework.http.HttpStatus;
import org.springframework.web.method.HandlerMethod;

/**
 * Documents the problem answers of every operation of a service, so that a client
 * generator knows each error's status and shape: one shared {@code ProblemDetail} schema
 * and one shared response per status (under {@code #/components/responses}), referenced
 * from each operation.
 * <p>
 * Each service builds one as a bean, naming the statuses it can answer and what each
 * means there. An operation then documents the statuses the service answers to every
 * operation ({@link Builder#everyOperation}), 400 when it takes parameters or a body, 404
 * when it has a path variable (each when the service describes it), and what its
 * controller declares with {@link ProblemResponses}, next to the code that throws it. A
 * declared status the service does not describe fails the document's generation, so the
 * document cannot silently lose it.
 */
public final class ProblemResponseDocuments implements OperationCustomizer, OpenApiCustomizer {

	/** The name of the shared problem schema under {@code #/components/schemas}. */
	public static final String SCHEMA = "ProblemDetail";

	private static final String PROBLEM_JSON = "application/problem+json";

	private final Map<HttpStatus, Documented> documented;

	private final Set<HttpStatus> everyOperation;

	private final Map<String, String> extraProperties;

	private ProblemResponseDocuments(Builder builder) {
		this.documented = new LinkedHashMap<>(builder.documented);
		this.everyOperation = Set.copyOf(builder.everyOperation);
		this.extraProperties = new LinkedHashMap<>(builder.extraProperties);
	}

	/** Starts describing a service's problem answers. */
	public static Builder builder() {
		return new Builder();
	}

	/** The statuses this service describes, which {@link ProblemResponses} may name. */
	public Set<HttpStatus> documented() {
		return this.documented.keySet();
	}

	@Override
	public Operation customize(Operation operation, HandlerMethod handler) {
		Set<HttpStatus> statuses = new TreeSet<>(Comparator.comparingInt(HttpStatus::value));
		statuses.addAll(this.everyOperation);
		boolean parameters = operation.getParameters() != null && !operation.getParameters().isEmpty();
		if ((parameters || operation.getRequestBody() != null) && this.documented.containsKey(HttpStatus.BAD_REQUEST)) {
			statuses.add(HttpStatus.BAD_REQUEST);
		}
		if (parameters && operation.getParameters().stream().anyMatch((p) -> "path".equals(p.getIn()))
				&& this.documented.containsKey(HttpStatus.NOT_FOUND)) {
			statuses.add(HttpStatus.NOT_FOUND);
		}
		for (ProblemResponses declared : new ProblemResponses[] {
				AnnotatedElementUtils.findMergedAnnotation(handler.getBeanType(), ProblemResponses.class),
				AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(), ProblemResponses.class) }) {
			if (declared != null) {
				for (HttpStatus status : declared.value()) {
					if (!this.documented.containsKey(status)) {
						throw new IllegalStateException(handler + " declares problem status " + status
								+ ", which the service's ProblemResponseDocuments does not describe");
					}
					statuses.add(status);
				}
			}
		}
		ApiResponses responses = (operation.getResponses() != null) ? operation.getResponses() : new ApiResponses();
		for (HttpStatus status : statuses) {
			responses.putIfAbsent(Integer.toString(status.value()),
					new ApiResponse().$ref("#/components/responses/" + this.documented.get(status).name()));
		}
		operation.setResponses(responses);
		return operation;
	}

	@Override
	public void customise(OpenAPI openApi) {
		if (openApi.getComponents() == null) {
			openApi.components(new Components());
		}
		openApi.getComponents().addSchemas(SCHEMA, problemSchema());
		this.documented.forEach((status, documented) -> {
			ApiResponse response = new ApiResponse().description(documented.description())
				.content(new Content().addMediaType(PROBLEM_JSON,
						new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + SCHEMA))));
			documented.headers()
				.forEach((name, description) -> response.addHeaderObject(name,
						new Header().description(description).schema(new StringSchema())));
			openApi.getComponents().addResponses(documented.name(), response);
		});
	}

	/**
	 * RFC 9457's members as the services fill them; {@code type} is stable per error kind
	 * and is what a client branches on.
	 */
	@SuppressWarnings("rawtypes")
	private Schema problemSchema() {
		Schema schema = new ObjectSchema()
			.description("An RFC 9457 problem. Its type is one URI per error kind under https://pgext.dev/problems/.")
			.addProperty("type",
					new StringSchema().format("uri")
						.description("The error kind, such as https://pgext.dev/problems/invalid-request"))
			.addProperty("title", new StringSchema().description("A short summary of the error kind"))
			.addProperty("status", new IntegerSchema().description("The HTTP status"))
			.addProperty("detail", new StringSchema().description("What went wrong with this request, for a human"))
			.addProperty("instance", new StringSchema().format("uri-reference").description("The request path"));
		this.extraProperties
			.forEach((name, description) -> schema.addProperty(name, new StringSchema().description(description)));
		return schema.addRequiredItem("type").addRequiredItem("status").additionalProperties(Boolean.TRUE);
	}

	private record Documented(String name, String description, Map<String, String> headers) {
	}

	/**
	 * What a service's problem answers are.
	 */
	public static final class Builder {

		private final Map<HttpStatus, Documented> documented = new LinkedHashMap<>();

		private final Set<HttpStatus> everyOperation = new TreeSet<>(Comparator.comparingInt(HttpStatus::value));

		private final Map<String, String> extraProperties = new LinkedHashMap<>();

		private Builder() {
		}

		/**
		 * Describes a status the service answers with a problem.
		 * @param status the status
		 * @param name the shared response's name under {@code #/components/responses}
		 * @param description when the service answers it
		 * @return this builder
		 */
		public Builder problem(HttpStatus status, String name, String description) {
			this.documented.put(status, new Documented(name, description, new LinkedHashMap<>()));
			return this;
		}

		/**
		 * A header the response of a status (described before) carries.
		 * @param status the status, already described
		 * @param header the header's name
		 * @param description what it says
		 * @return this builder
		 */
		public Builder header(HttpStatus status, String header, String description) {
			described(status).headers().put(header, description);
			return this;
		}

		/**
		 * Statuses (described before) every operation of the service can answer.
		 * @param statuses the statuses
		 * @return this builder
		 */
		public Builder everyOperation(HttpStatus... statuses) {
			for (HttpStatus status : statuses) {
				described(status);
				this.everyOperation.add(status);
			}
			return this;
		}

		/**
		 * A string member some of the service's problems add to RFC 9457's.
		 * @param name the member's name
		 * @param description what it says
		 * @return this builder
		 */
		public Builder property(String name, String description) {
			this.extraProperties.put(name, description);
			return this;
		}

		public ProblemResponseDocuments build() {
			return new ProblemResponseDocuments(this);
		}

		private Documented described(HttpStatus status) {
			Documented documented = this.documented.get(status);
			if (documented == null) {
				throw new IllegalArgumentException(status + " must be described with problem(..) first");
			}
			return documented;
		}

	}

}
