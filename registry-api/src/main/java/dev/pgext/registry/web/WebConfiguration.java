package dev.pgext.registry.web;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import dev.pgext.registry.auth.Tokens;

/**
 * Puts {@link WebInterceptor} in front of the web pages. CSRF protection is this small
 * synchronizer-token check rather than Spring Security: the registry authenticates its
 * API with its own bearer-token interceptor, and adding Spring Security's filter chain to
 * the whole servlet would put a second authentication system in front of every API and
 * actuator request to protect a handful of forms.
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

	private final WebSessions sessions;

	private final Tokens tokens;

	WebConfiguration(WebSessions sessions, Tokens tokens) {
		this.sessions = sessions;
		this.tokens = tokens;
	}

	@Override
	public void addInterceptors(InterceptorRegistry registry) {
		registry.addInterceptor(new WebInterceptor(this.sessions, this.tokens)).excludePathPatterns("/api/**");
	}

}
