package dev.pgext.registry.problem;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import jakarta.validation.ConstraintViolationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.MessageSourceResolvable;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.util.DisconnectedClientHelper;

import dev.pgext.model.InvalidValueException;
import dev.pgext.model.store.ObjectStoreException;
import dev.pgext.service.problem.ProblemTypes;
import dev.pgext.service.problem.RequestBodyPaths;

/**
 * Turns every error into an RFC 9457 problem. Spring MVC's own errors (missing part,
 * unreadable body, failed validation, wrong method) keep their status and get a pgext
 * type; bad input never becomes a 500.
 */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

	@ExceptionHandler
	ResponseEntity<ProblemDetail> registry(RegistryException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(ex.status(), ex.getMessage());
		problem.setType(ex.type());
		ex.properties().forEach(problem::setProperty);
		HttpHeaders headers = new HttpHeaders();
		if (ex.status() == HttpStatus.UNAUTHORIZED) {
			headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"pgext\"");
		}
		if (ex instanceof RetryLaterException later) {
			headers.set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, later.retryAfter().toSeconds())));
		}
		return ResponseEntity.status(ex.status()).headers(headers).body(problem);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> invalidArgument(InvalidValueException ex) {
		// the model's value types (names, versions, digests, majors, tenants) refuse bad
		// input with this; any other IllegalArgumentException is a bug and stays a 500
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
		problem.setType(URI.create(RegistryException.TYPE_BASE + "invalid-argument"));
		return ResponseEntity.badRequest().body(problem);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> multipart(MultipartException ex) {
		// a body that is not the multipart it claims to be (no boundary, cut off,
		// garbled)
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
				"the request body is not readable multipart/form-data (a boundary in the Content-Type and complete "
						+ "parts are needed)");
		problem.setType(URI.create(RegistryException.TYPE_BASE + "invalid-multipart"));
		return ResponseEntity.badRequest().body(problem);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> constraintViolation(ConstraintViolationException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
		problem.setType(URI.create(RegistryException.TYPE_BASE + "bad-request"));
		return ResponseEntity.badRequest().body(problem);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> store(ObjectStoreException ex) {
		if (ex.isClientError()) {
			// the store refused what the registry sent: no retry can help and the store
			// is
			// not down, so this is the registry's failure, not a 503
			log.error("Extension store refused a request", ex);
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
					"the extension store refused the request; retrying will not help");
			problem.setType(URI.create(RegistryException.TYPE_BASE + "store-refused"));
			return ResponseEntity.internalServerError().body(problem);
		}
		log.warn("Extension store call failed: {}", ex.getMessage());
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
				"the extension store is not available; retry later");
		problem.setType(URI.create(RegistryException.TYPE_BASE + "store-unavailable"));
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(problem);
	}

	/**
	 * No connection to the database (a {@code DataAccessResourceFailureException} from a
	 * query, a {@code CannotCreateTransactionException} from a transaction's start): 503,
	 * logged once per request without a stack trace, since the pool says why.
	 */
	@ExceptionHandler({ DataAccessResourceFailureException.class, CannotCreateTransactionException.class })
	ResponseEntity<ProblemDetail> database(Exception ex) {
		log.warn("Database not available: {}", ex.getMessage());
		return registry(RetryLaterException.databaseUnavailable());
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> unexpected(Exception ex) {
		log.error("Request failed", ex);
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
				"the registry could not complete the request; retry later");
		problem.setType(URI.create(RegistryException.TYPE_BASE + "internal-error"));
		return ResponseEntity.internalServerError().body(problem);
	}

	@Override
	protected ResponseEntity<Object> handleMaxUploadSizeExceededException(MaxUploadSizeExceededException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.PAYLOAD_TOO_LARGE,
				"the upload is larger than the registry accepts");
		problem.setType(URI.create(RegistryException.TYPE_BASE + "upload-too-large"));
		return ResponseEntity.status(HttpStatus.PAYLOAD_TOO_LARGE).body(problem);
	}

	/**
	 * A parameter that breaks its constraint ({@code size=0}): the detail names each
	 * parameter and what it must be, not Spring's "Validation failure".
	 */
	@Override
	protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		List<String> problems = new ArrayList<>();
		for (ParameterValidationResult result : ex.getParameterValidationResults()) {
			String name = result.getMethodParameter().getParameterName();
			for (MessageSourceResolvable error : result.getResolvableErrors()) {
				problems.add(((name != null) ? name + ": " : "") + error.getDefaultMessage());
			}
		}
		return invalid(ex, problems, headers, status, request);
	}

	/**
	 * A request body that breaks its constraints: the detail names each field and what it
	 * must be, not Spring's "Invalid request content.".
	 */
	@Override
	protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		List<String> problems = new ArrayList<>();
		Object body = ex.getBindingResult().getTarget();
		ex.getBindingResult()
			.getFieldErrors()
			.forEach((error) -> problems
				.add(RequestBodyPaths.of((body != null) ? body.getClass() : null, error.getField()) + ": "
						+ error.getDefaultMessage()));
		ex.getBindingResult().getGlobalErrors().forEach((error) -> problems.add(error.getDefaultMessage()));
		return invalid(ex, problems, headers, status, request);
	}

	private ResponseEntity<Object> invalid(Exception ex, List<String> problems, HttpHeaders headers,
			HttpStatusCode status, WebRequest request) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status,
				problems.isEmpty() ? "the request is not valid" : String.join("; ", problems));
		problem.setType(URI.create(RegistryException.TYPE_BASE + "invalid-argument"));
		return handleExceptionInternal(ex, problem, headers, status, request);
	}

	@Override
	protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
			HttpStatusCode statusCode, WebRequest request) {
		// a client that went away while its answer was written (curl ... | head): nothing
		// to answer and nothing wrong here, so not the superclass's warning
		if (DisconnectedClientHelper.isClientDisconnectedException(ex)) {
			log.debug("Client went away: {}", ex.getMessage());
			return null;
		}
		ResponseEntity<Object> response = super.handleExceptionInternal(ex, body, headers, statusCode, request);
		if (response != null && response.getBody() instanceof ProblemDetail problem
				&& (problem.getType() == null || "about:blank".equals(problem.getType().toString()))) {
			problem.setType(URI.create(RegistryException.TYPE_BASE + kind(statusCode)));
		}
		return response;
	}

	private static String kind(HttpStatusCode status) {
		return ProblemTypes.defaults().kind(status.value());
	}

}
