package dev.pgext.importer.api;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.pgext.importer.ImporterProperties;

/**
 * Bounds what is read of a request body ({@code max-request-body}): a body whose declared
 * {@code Content-Length} is larger fails at its first read, before a byte of it is read;
 * a body of unknown length (chunked) fails as soon as more than the limit has been read.
 * Either way the reader (Jackson, for a creation's JSON) gets a
 * {@link BodyTooLargeException}, which {@link ProblemAdvice} answers with 413. Tomcat has
 * no limit of its own for such bodies: its {@code max-http-form-post-size} bounds only
 * form bodies it parses itself.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestBodyLimitFilter extends OncePerRequestFilter {

	private final long limit;

	RequestBodyLimitFilter(ImporterProperties properties) {
		this.limit = properties.maxRequestBody().toBytes();
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		chain.doFilter(new LimitedRequest(request, this.limit), response);
	}

	/**
	 * A request body is larger than the importer reads.
	 */
	static final class BodyTooLargeException extends IOException {

		private final long limit;

		BodyTooLargeException(long limit) {
			super("the request body is larger than " + limit + " bytes");
			this.limit = limit;
		}

		long limit() {
			return this.limit;
		}

	}

	private static final class LimitedRequest extends HttpServletRequestWrapper {

		private final long limit;

		private ServletInputStream body;

		private BufferedReader reader;

		LimitedRequest(HttpServletRequest request, long limit) {
			super(request);
			this.limit = limit;
		}

		@Override
		public ServletInputStream getInputStream() throws IOException {
			if (this.body == null) {
				this.body = new LimitedInputStream(super.getInputStream(), getContentLengthLong(), this.limit);
			}
			return this.body;
		}

		@Override
		public BufferedReader getReader() throws IOException {
			if (this.reader == null) {
				String encoding = getCharacterEncoding();
				Charset charset = (encoding != null) ? Charset.forName(encoding) : StandardCharsets.UTF_8;
				this.reader = new BufferedReader(new InputStreamReader(getInputStream(), charset));
			}
			return this.reader;
		}

	}

	private static final class LimitedInputStream extends ServletInputStream {

		private final ServletInputStream in;

		private final long declared;

		private final long limit;

		private long read;

		LimitedInputStream(ServletInputStream in, long declared, long limit) {
			this.in = in;
			this.declared = declared;
			this.limit = limit;
		}

		@Override
		public int read() throws IOException {
			check();
			int b = this.in.read();
			if (b >= 0) {
				counted(1);
			}
			return b;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			check();
			int n = this.in.read(buffer, offset, length);
			if (n > 0) {
				counted(n);
			}
			return n;
		}

		private void check() throws BodyTooLargeException {
			if (this.declared > this.limit || this.read > this.limit) {
				throw new BodyTooLargeException(this.limit);
			}
		}

		private void counted(int n) throws BodyTooLargeException {
			this.read += n;
			check();
		}

		@Override
		public int available() throws IOException {
			return this.in.available();
		}

		@Override
		public boolean isFinished() {
			return this.in.isFinished();
		}

		@Override
		public boolean isReady() {
			return this.in.isReady();
		}

		@Override
		public void setReadListener(ReadListener listener) {
			this.in.setReadListener(listener);
		}

	}

}
