package dev.pgext.service.problem;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

import org.apache.catalina.Container;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.tomcat.util.http.InvalidParameterException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Tomcat's part: the requests it refuses before any servlet sees them (an undecodable or
 * over-long URL, an encoded slash, a malformed request line) and the parameters it cannot
 * decode.
 */
final class TomcatProblems {

	private TomcatProblems() {
	}

	/**
	 * A query string or form body Tomcat cannot decode (such as {@code %ZZ}, or bytes
	 * that are not UTF-8) is the client's error: 400, before any service's catch-all
	 * turns Tomcat's exception into a 500.
	 */
	@RestControllerAdvice
	@Order(Ordered.HIGHEST_PRECEDENCE)
	static class UndecodableParameters {

		private final ProblemTypes types;

		UndecodableParameters(ProblemTypes types) {
			this.types = types;
		}

		@ExceptionHandler
		ResponseEntity<ProblemDetail> undecodable(InvalidParameterException ex) {
			ProblemDetail problem = this.types.problem(400);
			problem.setDetail("the request parameters are not valid URL encoding");
			return ResponseEntity.badRequest().contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
		}

	}

	/**
	 * Tomcat's error report, as a problem. Tomcat calls it for every response that ends
	 * in an error without a body, including the requests it refuses on its own.
	 */
	static class ProblemErrorReportValve extends ErrorReportValve {

		private static final JsonMapper JSON = JsonMapper.builder().build();

		private final ProblemTypes types;

		ProblemErrorReportValve(ProblemTypes types) {
			this.types = types;
		}

		@Override
		protected void report(Request request, Response response, Throwable throwable) {
			int status = response.getStatus();
			if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
				return;
			}
			ProblemDetail problem = this.types.problem(status);
			try {
				response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
				response.setCharacterEncoding(StandardCharsets.UTF_8.name());
				Writer writer = response.getReporter();
				if (writer != null) {
					writer.write(JSON.writeValueAsString(problem));
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
	static class ErrorReports implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

		private final ProblemTypes types;

		ErrorReports(ProblemTypes types) {
			this.types = types;
		}

		@Override
		public void customize(TomcatServletWebServerFactory factory) {
			factory.addContextCustomizers((context) -> {
				Container host = context.getParent();
				for (Valve valve : host.getPipeline().getValves()) {
					if (valve instanceof ErrorReportValve && !(valve instanceof ProblemErrorReportValve)) {
						host.getPipeline().removeValve(valve);
					}
				}
				host.getPipeline().addValve(new ProblemErrorReportValve(this.types));
				if (host instanceof StandardHost standard) {
					// the host adds a valve of this class at its start unless it has one
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
