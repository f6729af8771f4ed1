package dev.pgext.importer.api;

import java.net.URI;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import dev.pgext.importer.run.ImportRejectedException;
import dev.pgext.model.store.ObjectStoreException;
import dev.pgext.service.problem.ProblemTypes;
import dev.pgext.service.problem.RequestBodyPaths;

/**
 * Every error of the importer's API as an RFC 9457 problem with a stable type per kind,
 * Spring MVC's own (unknown path, wrong method, wrong media type, unreadable body)
 * included. A body that breaks a rule is answered with each field named as the client
 * sends it ({@code import_pgdata.location.prefix}), not as the Java record calls it. On
 * Neon's routes ({@code /v1/tenant/...}) a problem also carries the detail as
 * {@code msg}, the member Neon's pageserver puts its error text in, so a Neon client
 * finds the reason too.
 */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler implements ResponseBodyAdvice<Object> {

	/** The path prefix of Neon's pageserver routes. */
	static final String NEON_ROUTES = "/v1/tenant/";

	private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

	private static final String BASE = ProblemTypes.BASE;

	/**
	 * The importer's kinds for what Tomcat and the error page answer (service-support): a
	 * client error without a kind of its own is {@code invalid-request} here too.
	 */
	static final ProblemTypes TYPES = new ProblemTypes(BASE, "invalid-request");

	@ExceptionHandler(ImportRejectedException.class)
	ProblemDetail rejected(ImportRejectedException ex) {
		return switch (ex.kind()) {
			case UNKNOWN_SHARD -> problem(HttpStatus.NOT_FOUND, "unknown-shard", "Unknown shard", ex.getMessage());
			case NOT_FOUND ->
				problem(HttpStatus.NOT_FOUND, "timeline-not-found", "Timeline not found", ex.getMessage());
			case IDEMPOTENCY_CONFLICT -> problem(HttpStatus.CONFLICT, "idempotency-conflict",
					"Timeline exists with another idempotency key", ex.getMessage());
			case BUCKET_NOT_ALLOWED ->
				problem(HttpStatus.FORBIDDEN, "bucket-not-allowed", "Input bucket not allowed", ex.getMessage());
			case LOCATION_OVERLAPS_OUTPUT -> problem(HttpStatus.BAD_REQUEST, "location-overlaps-output",
					"Input location overlaps the importer's output", ex.getMessage());
			case ALREADY_FINISHED ->
				problem(HttpStatus.CONFLICT, "import-finished", "Import already ended", ex.getMessage());
			case NOT_FAILED -> problem(HttpStatus.CONFLICT, "import-not-failed", "Only a failed import can be retried",
					ex.getMessage());
		};
	}

	@ExceptionHandler(Ids.InvalidRequestException.class)
	ProblemDetail invalidPath(Ids.InvalidRequestException ex) {
		return problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", ex.getMessage());
	}

	@ExceptionHandler(ObjectStoreException.class)
	ProblemDetail store(ObjectStoreException ex) {
		log.warn("Storage bucket call failed: {}", ex.getMessage());
		return problem(HttpStatus.SERVICE_UNAVAILABLE, "store-unavailable", "Storage unavailable",
				"the storage bucket is not available; retry later");
	}

	@ExceptionHandler(Exception.class)
	ProblemDetail unexpected(Exception ex) {
		log.error("Request failed", ex);
		return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error",
				"the importer could not complete the request; retry later");
	}

	@Override
	protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		Object target = ex.getBindingResult().getTarget();
		Class<?> type = (target != null) ? target.getClass() : null;
		String detail = ex.getBindingResult()
			.getFieldErrors()
			.stream()
			.map((e) -> RequestBodyPaths.of(type, e.getField()) + " " + e.getDefaultMessage())
			.sorted()
			.collect(Collectors.joining("; "));
		return ResponseEntity.badRequest()
			.body(problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail));
	}

	@Override
	protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof RequestBodyLimitFilter.BodyTooLargeException tooLarge) {
				return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
					.body(problem(HttpStatus.CONTENT_TOO_LARGE, "body-too-large", "Request body too large",
							"the request body is larger than the " + tooLarge.limit()
									+ " bytes the importer reads (max-request-body)"));
			}
		}
		return ResponseEntity.badRequest()
			.body(problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request",
					"the request body is not the expected JSON document"));
	}

	/**
	 * MVC's own errors keep their status and get a type of their kind instead of
	 * {@code about:blank}.
	 */
	@Override
	protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
			HttpStatusCode statusCode, WebRequest request) {
		ResponseEntity<Object> response = super.handleExceptionInternal(ex, body, headers, statusCode, request);
		if (response != null && response.getBody() instanceof ProblemDetail problem
				&& (problem.getType() == null || "about:blank".equals(problem.getType().toString()))) {
			problem.setType(URI.create(BASE + kind(statusCode)));
		}
		return response;
	}

	private static String kind(HttpStatusCode status) {
		return TYPES.kind(status.value());
	}

	private static ProblemDetail problem(HttpStatus status, String kind, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(URI.create(BASE + kind));
		problem.setTitle(title);
		return problem;
	}

	@Override
	public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
		return true;
	}

	@Override
	public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType selectedContentType,
			Class<? extends HttpMessageConverter<?>> selectedConverterType, ServerHttpRequest request,
			ServerHttpResponse response) {
		if (body instanceof ProblemDetail problem && request.getURI().getPath().startsWith(NEON_ROUTES)
				&& problem.getDetail() != null) {
			problem.setProperty("msg", problem.getDetail());
		}
		return body;
	}

}
