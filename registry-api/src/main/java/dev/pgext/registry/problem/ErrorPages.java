package dev.pgext.registry.problem;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.catalina.Container;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors raised before a controller runs answer {@code application/problem+json} too,
 * never an HTML page. Two places produce them: the servlet container's error dispatch to
 * {@code /error} (a filter or the dispatcher failed, {@code sendError} was called),
 * served by {@link ProblemErrorController}; and Tomcat itself, for requests it refuses
 * before any servlet sees them (an undecodable or over-long URL, an encoded slash, a
 * malformed request line), whose report {@link ProblemErrorReportValve} writes in place
 * of Tomcat's HTML {@code ErrorReportValve}.
 */
final class ErrorPages {

	private ErrorPages() {
	}

	static String kind(int status) {
		return switch (status) {
			case 400 -> "bad-request";
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
			default -> (status >= 400 && status < 500) ? "bad-request" : "internal-error";
		};
	}

	static String detail(int status) {
		return switch (status) {
			case 400 -> "the request could not be read: its URL, headers or body are malformed";
			case 404 -> "nothing is found at this URL";
			case 414 -> "the URL is longer than the registry accepts";
			case 431 -> "the request headers are larger than the registry accepts";
			default -> (status >= 400 && status < 500) ? "the request was refused: " + reason(status)
					: "the registry could not complete the request; retry later";
		};
	}

	private static String reason(int status) {
		HttpStatus known = HttpStatus.resolve(status);
		return (known != null) ? known.getReasonPhrase() : Integer.toString(status);
	}

	/**
	 * The container's error page ({@code server.error.path}, {@code /error}) as a
	 * problem: what reaches it is a status the container or a filter chose, such as 400
	 * for a multipart body Tomcat could not parse. Replaces Spring Boot's HTML/JSON error
	 * page.
	 */
	@Hidden
	@RestController
	static class ProblemErrorController implements ErrorController {

		@RequestMapping(path = "${server.error.path:/error}", produces = MediaType.ALL_VALUE)
		ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
			Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
			int status = (code instanceof Integer value && value >= 400) ? value : 500;
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(status), detail(status));
			problem.setType(java.net.URI.create(RegistryException.TYPE_BASE + kind(status)));
			return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
		}

	}

	/**
	 * Tomcat's error report, as a problem. Tomcat calls it for every response that ends
	 * in an error without a body, including the requests it refuses on its own.
	 */
	static class ProblemErrorReportValve extends ErrorReportValve {

		@Override
		protected void report(Request request, Response response, Throwable throwable) {
			int status = response.getStatus();
			if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
				return;
			}
			String body = "{\"type\":\"" + RegistryException.TYPE_BASE + kind(status) + "\",\"title\":\""
					+ reason(status) + "\",\"status\":" + status + ",\"detail\":\"" + detail(status) + "\"}";
			try {
				response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
				response.setCharacterEncoding(StandardCharsets.UTF_8.name());
				Writer writer = response.getReporter();
				if (writer != null) {
					writer.write(body);
					response.finishResponse();
				}
			}
			catch (IOException | IllegalStateException ex) {
				// the client is gone or the response already started: nothing more to say
			}
		}

	}

	/**
	 * Puts {@link ProblemErrorReportValve} in the place of every other error report valve
	 * of the host. It runs after Spring Boot's own Tomcat customizations (which add an
	 * HTML {@code ErrorReportValve}), so it can take that one's place.
	 */
	@Component
	static class TomcatErrorReports implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

		@Override
		public void customize(TomcatServletWebServerFactory factory) {
			factory.addContextCustomizers((context) -> {
				Container host = context.getParent();
				for (Valve valve : host.getPipeline().getValves()) {
					if (valve instanceof ErrorReportValve && !(valve instanceof ProblemErrorReportValve)) {
						host.getPipeline().removeValve(valve);
					}
				}
				host.getPipeline().addValve(new ProblemErrorReportValve());
				if (host instanceof StandardHost standard) {
					standard.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
				}
			});
		}

		@Override
		public int getOrder() {
			return Ordered.LOWEST_PRECEDENCE;
		}

	}

}
