package dev.pgext.model;

/**
 * The error kinds the services' RFC 9457 problems share: each service names its own kinds
 * ({@code https://pgext.dev/problems/<kind>}), and the errors the web framework answers
 * by itself get the same kind in every service, chosen here by status.
 */
public final class ProblemKinds {

	private ProblemKinds() {
	}

	/**
	 * The kind of an error the web framework answered by itself (unknown path, wrong
	 * method, unacceptable or unsupported media type), by its HTTP {@code status}.
	 * @param status the answer's HTTP status
	 * @param otherClientError the service's kind for any other client error (4xx)
	 * @return the kind; {@code internal-error} for anything but a client error
	 */
	public static String ofFrameworkError(int status, String otherClientError) {
		return switch (status) {
			case 404 -> "not-found";
			case 405 -> "method-not-allowed";
			case 406 -> "not-acceptable";
			case 415 -> "unsupported-media-type";
			default -> (status >= 400 && status < 500) ? otherClientError : "internal-error";
		};
	}

}
