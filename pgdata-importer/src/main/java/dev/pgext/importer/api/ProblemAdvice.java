package dev.pgext.importer.api;

import java.net.URI;
import java.util.stream.Collectors;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import dev.pgext.importer.run.ImportRejectedException;

/**
 * Every error of the importer's API as an RFC 9457 problem with a stable type per kind.
 */
@RestControllerAdvice
class ProblemAdvice {

	private static final String BASE = "https://pgext.dev/problems/";

	@ExceptionHandler(ImportRejectedException.class)
	ProblemDetail rejected(ImportRejectedException ex) {
		return switch (ex.kind()) {
			case UNKNOWN_SHARD -> problem(HttpStatus.NOT_FOUND, "unknown-shard", "Unknown shard", ex.getMessage());
			case NOT_FOUND -> problem(HttpStatus.NOT_FOUND, "timeline-not-found", "Timeline not found", ex.getMessage());
			case IDEMPOTENCY_CONFLICT -> problem(HttpStatus.CONFLICT, "idempotency-conflict",
					"Timeline exists with another idempotency key", ex.getMessage());
			case BUCKET_NOT_ALLOWED -> problem(HttpStatus.FORBIDDEN, "bucket-not-allowed", "Input bucket not allowed",
					ex.getMessage());
			case ALREADY_FINISHED -> problem(HttpStatus.CONFLICT, "import-finished", "Import already ended",
					ex.getMessage());
			case NOT_FAILED -> problem(HttpStatus.CONFLICT, "import-not-failed", "Only a failed import can be retried",
					ex.getMessage());
		};
	}

	@ExceptionHandler(Ids.InvalidRequestException.class)
	ProblemDetail invalidPath(Ids.InvalidRequestException ex) {
		return problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", ex.getMessage());
	}

	@ExceptionHandler(MethodArgumentNotValidException.class)
	ProblemDetail invalidBody(MethodArgumentNotValidException ex) {
		String detail = ex.getBindingResult()
			.getFieldErrors()
			.stream()
			.map((e) -> e.getField() + " " + e.getDefaultMessage())
			.sorted()
			.collect(Collectors.joining("; "));
		return problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail);
	}

	@ExceptionHandler(HttpMessageNotReadableException.class)
	ProblemDetail unreadable(HttpMessageNotReadableException ex) {
		return problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request",
				"the request body is not the expected JSON document");
	}

	private static ProblemDetail problem(HttpStatus status, String kind, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(URI.create(BASE + kind));
		problem.setTitle(title);
		return problem;
	}

}
