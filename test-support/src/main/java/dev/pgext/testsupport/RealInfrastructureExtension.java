package dev.pgext.testsupport;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link TestDatabase} and {@link TestBucket} parameters, one of each per test
 * class.
 */
public class RealInfrastructureExtension implements ParameterResolver {

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		Class<?> type = parameterContext.getParameter().getType();
		return type == TestDatabase.class || type == TestBucket.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		Class<?> testClass = extensionContext.getRequiredTestClass();
		if (parameterContext.getParameter().getType() == TestDatabase.class) {
			return TestInfrastructure.database(testClass);
		}
		return TestInfrastructure.bucket(testClass);
	}

}
