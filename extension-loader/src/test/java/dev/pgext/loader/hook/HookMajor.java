package dev.pgext.loader.hook;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Postgres major a hook test class runs against. Before anything of the class runs,
 * the hook is built for that major: without the major's server headers the class is
 * skipped with the reason, except under CI, where that is a failure.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(HookMajor.Built.class)
@interface HookMajor {

	int value();

	/** Skips (or, under CI, fails) a class whose major has no server headers here. */
	final class Built implements ExecutionCondition {

		@Override
		public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
			HookMajor major = context.getRequiredTestClass().getAnnotation(HookMajor.class);
			if (major == null) {
				return ConditionEvaluationResult.enabled("not a hook test class");
			}
			return PgHookBuild.missingHeaders(major.value())
				.map(ConditionEvaluationResult::disabled)
				.orElseGet(() -> ConditionEvaluationResult
					.enabled("pgext_loader built at " + PgHookBuild.library(major.value())));
		}

	}

}
