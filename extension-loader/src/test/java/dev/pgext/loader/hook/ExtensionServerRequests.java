package dev.pgext.loader.hook;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Counts every request to {@code /extension_server/} as it arrives, whatever its answer,
 * so that a test can tell that the hook sent none.
 */
@TestConfiguration(proxyBeanMethods = false)
class ExtensionServerRequests extends OncePerRequestFilter {

	private final AtomicInteger count = new AtomicInteger();

	int count() {
		return this.count.get();
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (request.getRequestURI().startsWith("/extension_server/")) {
			this.count.incrementAndGet();
		}
		chain.doFilter(request, response);
	}

}
