package dev.pgext.service.problem;

import org.apache.catalina.startup.Tomcat;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Every error a servlet service answers before its controllers run is a problem of the
 * service's {@link ProblemTypes}: the error page, Tomcat's own refusals and undecodable
 * parameters. Comes before Spring Boot's error page configuration, which then backs off.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration")
@ConditionalOnWebApplication(type = Type.SERVLET)
public class ServiceProblemsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ProblemTypes problemTypes() {
		return ProblemTypes.defaults();
	}

	@Bean
	@ConditionalOnMissingBean(ErrorController.class)
	ProblemErrorController problemErrorController(ProblemTypes types) {
		return new ProblemErrorController(types);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Tomcat.class)
	static class TomcatConfiguration {

		@Bean
		TomcatProblems.UndecodableParameters undecodableParameters(ProblemTypes types) {
			return new TomcatProblems.UndecodableParameters(types);
		}

		@Bean
		TomcatProblems.ErrorReports tomcatErrorReports(ProblemTypes types) {
			return new TomcatProblems.ErrorReports(types);
		}

	}

}
