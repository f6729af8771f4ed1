package dev.pgext.loader.problem;

import java.net.URI;
import java.util.concurrent.TimeoutException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import dev.pgext.loader.compute.ComputeAlreadyStartedException;
import dev.pgext.loader.compute.ComputeNotStartedException;
import dev.pgext.loader.fetch.FetchException;
import dev.pgext.loader.jit.UnknownExtensionFileException;
import dev.pgext.service.problem.ProblemTypes;

/**
 * Every error of the loader's API as an RFC 9457 problem with a stable type per kind.
 */
@RestControllerAdvice
class LoaderProblems extends ResponseEntityExceptionHandler {

	private static final String TYPES = ProblemTypes.BASE;

	@ExceptionHandler(FetchException.class)
	ProblemDetail fetchFailed(FetchException ex) {
		ProblemDetail problem = problem(HttpStatus.INTERNAL_SERVER_ERROR, "download-failed", ex.getMessage());
		problem.setProperty("reason", ex.reason().tag());
		return problem;
	}

	@ExceptionHandler(TimeoutException.class)
	ProblemDetail timedOut(TimeoutException ex) {
		return problem(HttpStatus.INTERNAL_SERVER_ERROR, "download-timeout",
				"the extension's files were not in place within the JIT timeout; the download goes on");
	}

	@ExceptionHandler(ComputeAlreadyStartedException.class)
	ProblemDetail alreadyStarted(ComputeAlreadyStartedException ex) {
		return problem(HttpStatus.CONFLICT, "compute-already-started", ex.getMessage());
	}

	@ExceptionHandler(ComputeNotStartedException.class)
	ProblemDetail notStarted(ComputeNotStartedException ex) {
		return problem(HttpStatus.CONFLICT, "compute-not-started", ex.getMessage());
	}

	@ExceptionHandler(UnknownExtensionFileException.class)
	ProblemDetail unknownFile(UnknownExtensionFileException ex) {
		return problem(HttpStatus.NOT_FOUND, "unknown-extension-file", ex.getMessage());
	}

	@ExceptionHandler(IllegalArgumentException.class)
	ProblemDetail badInput(IllegalArgumentException ex) {
		return problem(HttpStatus.BAD_REQUEST, "bad-request", ex.getMessage());
	}

	/**
	 * Spring's own problems (validation, unreadable body, wrong method) get a type of
	 * their own too.
	 */
	@Override
	protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode statusCode,
			WebRequest request) {
		if (body instanceof ProblemDetail problem
				&& (problem.getType() == null || "about:blank".equals(problem.getType().toString()))) {
			problem.setType(URI.create(TYPES + ProblemTypes.defaults().kind(statusCode.value())));
		}
		return super.createResponseEntity(body, headers, statusCode, request);
	}

	private static ProblemDetail problem(HttpStatus status, String kind, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(URI.create(TYPES + kind));
		return problem;
	}

}
