package dev.pgext.service.openapi;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;
import org.springframework.web.method.HandlerMethod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Each operation references the shared problem responses it can answer: those of every
 * operation, 400 and 404 by its parameters, and what its controller declares.
 */
class ProblemResponseDocumentsTests {

	private final ProblemResponseDocuments documents = ProblemResponseDocuments.builder()
		.problem(HttpStatus.BAD_REQUEST, "BadRequest", "unreadable")
		.problem(HttpStatus.NOT_FOUND, "NotFound", "nothing there")
		.problem(HttpStatus.CONFLICT, "Conflict", "exists")
		.problem(HttpStatus.SERVICE_UNAVAILABLE, "ServiceUnavailable", "later")
		.header(HttpStatus.SERVICE_UNAVAILABLE, "Retry-After", "seconds")
		.problem(HttpStatus.INTERNAL_SERVER_ERROR, "InternalError", "failed")
		.everyOperation(HttpStatus.INTERNAL_SERVER_ERROR)
		.property("msg", "the detail again")
		.build();

	@Test
	void anOperationWithAPathVariableAndABodyGetsItsDeclaredAndImpliedProblems() throws Exception {
		Operation operation = new Operation().addParametersItem(new Parameter().in("path").name("id"))
			.requestBody(new RequestBody());
		this.documents.customize(operation, handler("create"));
		assertThat(operation.getResponses()).containsOnlyKeys("400", "404", "409", "500", "503");
		assertThat(operation.getResponses().get("409").get$ref()).isEqualTo("#/components/responses/Conflict");
	}

	@Test
	void anOperationWithoutParametersGetsWhatEveryOperationAndItsControllerCanAnswer() throws Exception {
		Operation operation = new Operation();
		this.documents.customize(operation, handler("list"));
		assertThat(operation.getResponses()).containsOnlyKeys("500", "503");
	}

	@Test
	void aDeclaredStatusTheServiceDoesNotDescribeFailsTheDocument() {
		assertThatIllegalStateException()
			.isThrownBy(() -> this.documents.customize(new Operation(), handler("undescribed")))
			.withMessageContaining("413");
	}

	@Test
	void theSharedResponsesReferenceOneProblemSchemaWithTheServicesMembers() {
		OpenAPI openApi = new OpenAPI();
		this.documents.customise(openApi);
		assertThat(openApi.getComponents().getSchemas().get("ProblemDetail").getProperties()).containsKeys("type",
				"status", "detail", "msg");
		assertThat(openApi.getComponents().getResponses()).containsOnlyKeys("BadRequest", "NotFound", "Conflict",
				"ServiceUnavailable", "InternalError");
		assertThat(openApi.getComponents().getResponses().get("ServiceUnavailable").getHeaders())
			.containsOnlyKeys("Retry-After");
		assertThat(openApi.getComponents().getResponses().get("Conflict").getContent())
			.containsOnlyKeys("application/problem+json");
	}

	private static HandlerMethod handler(String name) {
		try {
			return new HandlerMethod(new SampleController(), SampleController.class.getDeclaredMethod(name));
		}
		catch (NoSuchMethodException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@ProblemResponses(HttpStatus.SERVICE_UNAVAILABLE)
	static class SampleController {

		@ProblemResponses(HttpStatus.CONFLICT)
		void create() {
		}

		void list() {
		}

		@ProblemResponses(HttpStatus.CONTENT_TOO_LARGE)
		void undescribed() {
		}

	}

}
