package dev.pgext.service.json;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.context.annotation.Bean;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Takes the XML message converters out of every service: each service's API is JSON (its
 * OpenAPI document says so), but a library on the classpath (the local stack's in-process
 * S3 server brings Jackson's XML module) made Spring MVC read XML request bodies and
 * answer {@code Accept: application/xml} too, a second parser reachable from outside that
 * no document mentions. A body in XML is now a 415, as any other type that is not JSON.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = Type.SERVLET)
public class JsonOnlyAutoConfiguration {

	@Bean
	WebMvcConfigurer jsonOnlyMessageConverters() {
		return new WebMvcConfigurer() {

			@Override
			public void configureMessageConverters(HttpMessageConverters.ServerBuilder builder) {
				builder.configureMessageConvertersList(
						(converters) -> converters.removeIf(JsonOnlyAutoConfiguration::xml));
			}

		};
	}

	/** A converter for XML: one that names an XML type (not one that takes any type). */
	static boolean xml(HttpMessageConverter<?> converter) {
		return converter.getSupportedMediaTypes()
			.stream()
			.anyMatch((type) -> !type.isWildcardSubtype()
					&& (type.getSubtype().equals("xml") || type.getSubtype().endsWith("+xml")));
	}

}
