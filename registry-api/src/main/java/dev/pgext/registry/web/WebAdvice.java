package dev.pgext.registry.web;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.ModelAndView;

import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.problem.RegistryException;

/**
 * What every page's layout needs (who is signed in, the session's CSRF token), and errors
 * of the web pages as HTML pages with the same status and detail the API's problem would
 * carry. It applies to this package's controllers only, ahead of the API's
 * {@code ProblemAdvice}, which still answers every API request.
 */
@ControllerAdvice(basePackageClasses = WebAdvice.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class WebAdvice {

	@ModelAttribute("viewer")
	Caller viewer(HttpServletRequest request) {
		Object caller = request.getAttribute(WebInterceptor.CALLER);
		return (caller instanceof Caller c) ? c : Caller.ANONYMOUS;
	}

	@ModelAttribute("csrf")
	String csrf(HttpServletRequest request) {
		Object session = request.getAttribute(WebInterceptor.SESSION);
		return (session instanceof WebSessions.WebSession s) ? s.csrf() : "";
	}

	@ExceptionHandler(RegistryException.class)
	ModelAndView refused(RegistryException ex, HttpServletRequest request) {
		return page(ex.status(), ex.getMessage(), request);
	}

	@ExceptionHandler({ MissingServletRequestParameterException.class, MethodArgumentTypeMismatchException.class })
	ModelAndView badRequest(Exception ex, HttpServletRequest request) {
		return page(HttpStatus.BAD_REQUEST, "a parameter of this page is missing or not valid", request);
	}

	private ModelAndView page(HttpStatus status, String detail, HttpServletRequest request) {
		ModelAndView page = new ModelAndView("failure", status);
		page.addObject("status", status.value());
		page.addObject("title", status.getReasonPhrase());
		page.addObject("detail", detail);
		page.addObject("viewer", viewer(request));
		page.addObject("csrf", csrf(request));
		return page;
	}

}
