package dev.pgext.bundle;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application starts as a command-line program (no web server), binds and validates
 * its configuration, and turns the command's outcome into the process exit code.
 */
class BundleBuilderApplicationTests {

	private static int exitCodeOf(String... args) {
		SpringApplication application = new SpringApplication(BundleBuilderApplication.class);
		application.setAddCommandLineProperties(false);
		try (ConfigurableApplicationContext context = application.run(args)) {
			assertThat(application.getWebApplicationType()).isEqualTo(WebApplicationType.NONE);
			BundleProperties properties = context.getBean(BundleProperties.class);
			assertThat(properties.hostLibraryDirs()).isNotEmpty();
			assertThat(properties.builderVersion()).doesNotContain("@");
			return SpringApplication.exit(context);
		}
	}

	@Test
	void helpExits0() {
		assertThat(exitCodeOf("help")).isZero();
	}

	@Test
	void anUnknownCommandExits2() {
		assertThat(exitCodeOf("frobnicate")).isEqualTo(2);
	}

}
