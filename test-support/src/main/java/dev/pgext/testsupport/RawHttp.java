package dev.pgext.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 as it goes over the wire, for requests an HTTP client refuses to send (an
 * undecodable URL, a malformed request line, a header block over a server's limit): the
 * request text is written as given and the whole answer is read until the server closes
 * the connection (send {@code Connection: close}).
 */
public final class RawHttp {

	private RawHttp() {
	}

	/**
	 * Sends {@code request} (ISO-8859-1) to {@code 127.0.0.1:port} and reads the answer.
	 */
	public static Response send(int port, String request) {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(30_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			return Response.read(socket.getInputStream());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A response as it came off the wire.
	 *
	 * @param status the status code
	 * @param headers the headers, names in lower case
	 * @param body the body, de-chunked
	 */
	public record Response(int status, Map<String, String> headers, byte[] body) {

		static Response read(InputStream in) throws IOException {
			byte[] all = in.readAllBytes();
			String text = new String(all, StandardCharsets.ISO_8859_1);
			int end = text.indexOf("\r\n\r\n");
			if (end < 0) {
				throw new IOException("no complete response head in " + all.length + " bytes: " + text);
			}
			String[] lines = text.substring(0, end).split("\r\n");
			int status = Integer.parseInt(lines[0].split(" ")[1]);
			Map<String, String> headers = new LinkedHashMap<>();
			for (int i = 1; i < lines.length; i++) {
				int colon = lines[i].indexOf(':');
				headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
						lines[i].substring(colon + 1).strip());
			}
			byte[] body = Arrays.copyOfRange(all, end + 4, all.length);
			if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
				body = dechunk(body);
			}
			return new Response(status, headers, body);
		}

		private static byte[] dechunk(byte[] chunked) {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			int pos = 0;
			while (pos < chunked.length) {
				int lineEnd = pos;
				while (lineEnd + 1 < chunked.length && !(chunked[lineEnd] == '\r' && chunked[lineEnd + 1] == '\n')) {
					lineEnd++;
				}
				String size = new String(chunked, pos, lineEnd - pos, StandardCharsets.ISO_8859_1).split(";")[0]
					.strip();
				int length = Integer.parseInt(size, 16);
				if (length == 0) {
					break;
				}
				out.write(chunked, lineEnd + 2, length);
				pos = lineEnd + 2 + length + 2;
			}
			return out.toByteArray();
		}

		/** The body as UTF-8 text. */
		public String text() {
			return new String(this.body, StandardCharsets.UTF_8);
		}

		@Override
		public String toString() {
			return this.status + " " + this.headers + " " + text();
		}

	}

}
