package dev.pgext.registry.problem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UriUtils;

/**
 * Refuses, before anything reads it, a query string that cannot be text: one that is not
 * valid URL encoding (such as {@code %ZZ}) or that holds a NUL character ({@code %00}),
 * which no parameter of the API can mean and which PostgreSQL text cannot hold. The
 * answer is the container's 400, which the error page turns into a problem.
 */
@Component
class QueryTextFilter extends OncePerRequestFilter {

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String query = request.getQueryString();
		if (query != null && !isText(query)) {
			response.sendError(HttpServletResponse.SC_BAD_REQUEST);
			return;
		}
		chain.doFilter(request, response);
	}

	private static boolean isText(String query) {
		if (query.toUpperCase(Locale.ROOT).contains("%00")) {
			return false;
		}
		try {
			for (String pair : query.split("&")) {
				UriUtils.decode(pair.replace('+', ' '), StandardCharsets.UTF_8);
			}
			return true;
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

}
