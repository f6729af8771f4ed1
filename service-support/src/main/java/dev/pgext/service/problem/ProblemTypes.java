package dev.pgext.service.problem;

import java.net.URI;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/**
 * How a service names the kinds of the errors it answers before its controllers run:
 * every type is {@code base} followed by a kind chosen by status, and a client error with
 * no kind of its own takes the service's {@code otherClientError} kind. A service
 * declares a bean of this type where its own problems call that kind differently from
 * {@link #defaults()}.
 *
 * @param base where every problem type of the service starts
 * @param otherClientError the kind of a client error (4xx) without a kind of its own
 */
public record ProblemTypes(String base, String otherClientError) {

	/** Where every problem type of the suite's services starts. */
	public static final String BASE = "https://pgext.dev/problems/";

	/** The suite's base and {@code bad-request} for other client errors. */
	public static ProblemTypes defaults() {
		return new ProblemTypes(BASE, "bad-request");
	}

	/** The kind of an error answered with {@code status}. */
	public String kind(int status) {
		return switch (status) {
			case 401 -> "unauthenticated";
			case 403 -> "forbidden";
			case 404 -> "not-found";
			case 405 -> "method-not-allowed";
			case 406 -> "not-acceptable";
			case 413 -> "upload-too-large";
			case 414 -> "uri-too-long";
			case 415 -> "unsupported-media-type";
			case 431 -> "headers-too-large";
			case 503 -> "unavailable";
			default -> (status >= 400 && status < 500) ? this.otherClientError : "internal-error";
		};
	}

	/** The problem for an error answered with {@code status}, with what it means. */
	public ProblemDetail problem(int status) {
		// any three-digit status, not only those HttpStatus names
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(status), detail(status));
		problem.setType(URI.create(this.base + kind(status)));
		return problem;
	}

	static String detail(int status) {
		return switch (status) {
			case 400 -> "the request could not be read: its URL, headers or body are malformed";
			case 404 -> "nothing is found at this URL";
			case 414 -> "the URL is longer than this service accepts";
			case 431 -> "the request headers are larger than this service accepts";
			default -> (status >= 400 && status < 500) ? "the request was refused: " + reason(status)
					: "the service could not complete the request; retry later";
		};
	}

	static String reason(int status) {
		HttpStatus known = HttpStatus.resolve(status);
		return (known != null) ? known.getReasonPhrase() : Integer.toString(status);
	}

}
