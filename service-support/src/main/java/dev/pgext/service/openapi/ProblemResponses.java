package dev.pgext.service.openapi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.http.HttpStatus;

/**
 * The problem answers an operation can give beyond those every operation documents (see
 * {@link ProblemResponseDocuments}): on a controller method, or on a controller for all
 * its methods. The OpenAPI document lists each as an {@code application/problem+json}
 * response.
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ProblemResponses {

	/**
	 * The statuses, each one the service's {@link ProblemResponseDocuments} describes.
	 */
	HttpStatus[] value();

}
