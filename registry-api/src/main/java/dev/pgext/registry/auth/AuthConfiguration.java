package dev.pgext.registry.auth;

import java.util.List;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import dev.pgext.registry.RegistryProperties;
import dev.pgext.registry.caller.Caller;

/**
 * Wires the token interceptor in front of the API and lets controllers take a
 * {@link Caller} parameter.
 */
@Configuration(proxyBeanMethods = false)
class AuthConfiguration implements WebMvcConfigurer {

	private final Tokens tokens;

	AuthConfiguration(Tokens tokens) {
		this.tokens = tokens;
	}

	@Bean
	FilterRegistrationBean<ActuatorAccess> actuatorAccess(RegistryProperties properties,
			@Qualifier("handlerExceptionResolver") HandlerExceptionResolver problems) {
		FilterRegistrationBean<ActuatorAccess> registration = new FilterRegistrationBean<>(
				new ActuatorAccess(this.tokens, properties.actuator().publicMetrics(), problems));
		registration.addUrlPatterns("/actuator/*");
		return registration;
	}

	@Override
	public void addInterceptors(InterceptorRegistry registry) {
		registry.addInterceptor(new CallerInterceptor(this.tokens)).addPathPatterns("/api/**");
	}

	@Override
	public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
		resolvers.add(new HandlerMethodArgumentResolver() {

			@Override
			public boolean supportsParameter(MethodParameter parameter) {
				return parameter.getParameterType() == Caller.class;
			}

			@Override
			public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mavContainer,
					NativeWebRequest webRequest, WebDataBinderFactory binderFactory) {
				Object caller = webRequest.getAttribute(CallerInterceptor.ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
				return (caller != null) ? caller : Caller.ANONYMOUS;
			}

		});
	}

}
