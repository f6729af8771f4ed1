package dev.pgext.local;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * A {@code multipart/form-data} request body, enough for publishing a release.
 */
final class Multipart {

	private final String boundary = "pgext-" + UUID.randomUUID();

	private final ByteArrayOutputStream body = new ByteArrayOutputStream();

	Multipart part(String name, String fileName, String contentType, byte[] content) {
		String header = "--" + this.boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\""
				+ fileName + "\"\r\nContent-Type: " + contentType + "\r\n\r\n";
		this.body.writeBytes(header.getBytes(StandardCharsets.UTF_8));
		this.body.writeBytes(content);
		this.body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
		return this;
	}

	String contentType() {
		return "multipart/form-data; boundary=" + this.boundary;
	}

	HttpRequest.BodyPublisher publisher() {
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		all.writeBytes(this.body.toByteArray());
		all.writeBytes(("--" + this.boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
		return HttpRequest.BodyPublishers.ofByteArray(all.toByteArray());
	}

}
