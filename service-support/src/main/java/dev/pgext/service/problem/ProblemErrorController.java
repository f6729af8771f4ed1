package dev.pgext.service.problem;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The container's error page ({@code server.error.path}, {@code /error}) as a problem:
 * what reaches it is a status the container or a filter chose, such as 400 for a body
 * Tomcat could not parse. Stands in for Spring Boot's HTML/JSON error page.
 */
@Hidden
@RestController
class ProblemErrorController implements ErrorController {

	private final ProblemTypes types;

	ProblemErrorController(ProblemTypes types) {
		this.types = types;
	}

	@RequestMapping(path = "${server.error.path:/error}", produces = MediaType.ALL_VALUE)
	ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		int status = (code instanceof Integer value && value >= 400 && value < 600) ? value : 500;
		return ResponseEntity.status(status)
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.body(this.types.problem(status));
	}

}
