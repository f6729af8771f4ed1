package dev.pgext.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class a real PostgreSQL database and a real S3 bucket of its own: declare
 * a {@link TestDatabase} or {@link TestBucket} parameter on a test, lifecycle method or
 * constructor. Spring tests can reach the same ones with
 * {@link TestInfrastructure#database(Class)} and {@link TestInfrastructure#bucket(Class)}
 * from a {@code @DynamicPropertySource} method.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(RealInfrastructureExtension.class)
public @interface RealInfrastructure {

}
