package dev.pgext.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProblemKindsTests {

	@Test
	void theFrameworksOwnErrorsHaveAKindPerStatus() {
		assertThat(ProblemKinds.ofFrameworkError(404, "bad-request")).isEqualTo("not-found");
		assertThat(ProblemKinds.ofFrameworkError(405, "bad-request")).isEqualTo("method-not-allowed");
		assertThat(ProblemKinds.ofFrameworkError(406, "bad-request")).isEqualTo("not-acceptable");
		assertThat(ProblemKinds.ofFrameworkError(415, "bad-request")).isEqualTo("unsupported-media-type");
	}

	@Test
	void anyOtherClientErrorGetsTheServicesKind() {
		assertThat(ProblemKinds.ofFrameworkError(400, "invalid-request")).isEqualTo("invalid-request");
		assertThat(ProblemKinds.ofFrameworkError(413, "bad-request")).isEqualTo("bad-request");
	}

	@Test
	void aServerErrorIsAnInternalError() {
		assertThat(ProblemKinds.ofFrameworkError(500, "bad-request")).isEqualTo("internal-error");
		assertThat(ProblemKinds.ofFrameworkError(503, "bad-request")).isEqualTo("internal-error");
	}

}
