package dev.pgext.registry.problem;

import java.net.URI;

import org.springframework.http.HttpStatus;

import dev.pgext.service.problem.ProblemTypes;

/**
 * A request the registry refuses, with the HTTP status and the stable problem kind a
 * client can branch on. The kind becomes the problem type
 * {@code https://pgext.dev/problems/<kind>}.
 */
public class RegistryException extends RuntimeException {

	/** Every problem type starts with this. */
	public static final String TYPE_BASE = ProblemTypes.BASE;

	private final HttpStatus status;

	private final String kind;

	private final java.util.Map<String, Object> properties = new java.util.LinkedHashMap<>();

	public RegistryException(HttpStatus status, String kind, String detail) {
		super(detail);
		this.status = status;
		this.kind = kind;
	}

	public static RegistryException badRequest(String kind, String detail) {
		return new RegistryException(HttpStatus.BAD_REQUEST, kind, detail);
	}

	public static RegistryException unprocessable(String kind, String detail) {
		return new RegistryException(HttpStatus.UNPROCESSABLE_CONTENT, kind, detail);
	}

	public static RegistryException notFound(String detail) {
		return new RegistryException(HttpStatus.NOT_FOUND, "not-found", detail);
	}

	public static RegistryException conflict(String kind, String detail) {
		return new RegistryException(HttpStatus.CONFLICT, kind, detail);
	}

	public static RegistryException unauthenticated(String kind, String detail) {
		return new RegistryException(HttpStatus.UNAUTHORIZED, kind, detail);
	}

	public static RegistryException forbidden(String detail) {
		return new RegistryException(HttpStatus.FORBIDDEN, "forbidden", detail);
	}

	public HttpStatus status() {
		return this.status;
	}

	public String kind() {
		return this.kind;
	}

	/**
	 * Adds an extension member to the problem (such as {@code errors}, a list of what is
	 * wrong).
	 */
	public RegistryException with(String name, Object value) {
		this.properties.put(name, value);
		return this;
	}

	/** The problem's extension members. */
	public java.util.Map<String, Object> properties() {
		return java.util.Collections.unmodifiableMap(this.properties);
	}

	public URI type() {
		return URI.create(TYPE_BASE + this.kind);
	}

}
