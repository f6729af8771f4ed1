package dev.pgext.registry.problem;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.converter.HttpMessageNotWritableException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.method.annotation.ExceptionHandlerMethodResolver;

import dev.pgext.model.ExtensionName;
import dev.pgext.model.InvalidValueException;
import dev.pgext.model.store.ObjectStoreException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Which errors are the caller's: only the vocabulary's own refusals become a 400; an
 * internal {@link IllegalArgumentException} is a defect and neither shows its message nor
 * blames the caller; a store that refuses a request is not a store that is down.
 */
class ProblemAdviceTests {

	private final ProblemAdvice advice = new ProblemAdvice();

	private final ExceptionHandlerMethodResolver handlers = new ExceptionHandlerMethodResolver(ProblemAdvice.class);

	@Test
	void aMalformedNameIsTheCallersMistake() {
		Throwable thrown = catchThrowable(() -> ExtensionName.of("bad--name"));
		assertThat(thrown).isInstanceOf(InvalidValueException.class);
		assertThat(this.handlers.resolveMethod((Exception) thrown).getName()).isEqualTo("invalidArgument");
		var response = this.advice.invalidArgument((InvalidValueException) thrown);
		assertThat(response.getStatusCode().value()).isEqualTo(400);
		assertThat(response.getBody().getType()).hasToString(RegistryException.TYPE_BASE + "invalid-argument");
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void aClientThatWentAwayWhileItsAnswerWasWrittenIsNotWarnedAbout(CapturedOutput output) {
		MockHttpServletResponse response = new MockHttpServletResponse();
		response.setCommitted(true);
		Exception broken = new HttpMessageNotWritableException("Could not write JSON",
				new java.io.IOException("Broken pipe"));

		assertThat(this.advice.handleExceptionInternal(broken, null, new HttpHeaders(),
				HttpStatus.INTERNAL_SERVER_ERROR, new ServletWebRequest(new MockHttpServletRequest(), response)))
			.isNull();
		assertThat(response.getContentAsByteArray()).isEmpty();
		assertThat(output).doesNotContain("Response already committed").doesNotContain("WARN");
	}

	@Test
	void anInternalIllegalArgumentIsNotTheCallersMistake() {
		IllegalArgumentException internal = new IllegalArgumentException("row 17 of table x has no key");
		assertThat(this.handlers.resolveMethod(internal).getName()).isEqualTo("unexpected");
		var response = this.advice.unexpected(internal);
		assertThat(response.getStatusCode().value()).isEqualTo(500);
		assertThat(response.getBody().getDetail()).doesNotContain("row 17");
	}

	@Test
	void aStoreThatRefusesIsNotUnavailable() {
		var refused = this.advice.store(new ObjectStoreException("S3 put k failed: 400 KeyTooLongError", 400, null));
		assertThat(refused.getStatusCode().value()).isEqualTo(500);
		assertThat(refused.getBody().getType()).hasToString(RegistryException.TYPE_BASE + "store-refused");
		var down = this.advice.store(new ObjectStoreException("S3 get k failed: 503 SlowDown", 503, null));
		assertThat(down.getStatusCode().value()).isEqualTo(503);
		assertThat(down.getBody().getType()).hasToString(RegistryException.TYPE_BASE + "store-unavailable");
	}

	@Test
	void aDatabaseThatDoesNotAnswerIsUnavailableNotAnInternalError() {
		var noConnection = new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection",
				new SQLException("Connection to 127.0.0.1:5432 refused"));
		var noTransaction = new CannotCreateTransactionException("Could not open JDBC Connection for transaction");
		assertThat(this.handlers.resolveMethod(noConnection).getName()).isEqualTo("database");
		assertThat(this.handlers.resolveMethod(noTransaction).getName()).isEqualTo("database");
		var response = this.advice.database(noConnection);
		assertThat(response.getStatusCode().value()).isEqualTo(503);
		assertThat(response.getHeaders().getFirst("Retry-After")).isEqualTo("5");
		assertThat(response.getBody().getType()).hasToString(RegistryException.TYPE_BASE + "database-unavailable");
		assertThat(response.getBody().getDetail()).doesNotContain("127.0.0.1");
	}

}
