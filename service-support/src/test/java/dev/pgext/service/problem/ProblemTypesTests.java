package dev.pgext.service.problem;

import org.junit.jupiter.api.Test;

import org.springframework.http.ProblemDetail;

import static org.assertj.core.api.Assertions.assertThat;

class ProblemTypesTests {

	@Test
	void theFrameworksOwnErrorsHaveAKindPerStatus() {
		ProblemTypes types = ProblemTypes.defaults();

		assertThat(types.kind(404)).isEqualTo("not-found");
		assertThat(types.kind(405)).isEqualTo("method-not-allowed");
		assertThat(types.kind(406)).isEqualTo("not-acceptable");
		assertThat(types.kind(415)).isEqualTo("unsupported-media-type");
		assertThat(types.kind(413)).isEqualTo("upload-too-large");
	}

	@Test
	void aClientErrorWithoutAKindOfItsOwnTakesTheServicesKind() {
		ProblemTypes importer = new ProblemTypes("https://pgext.dev/problems/", "invalid-request");

		assertThat(importer.kind(400)).isEqualTo("invalid-request");
		assertThat(importer.kind(422)).isEqualTo("invalid-request");
		assertThat(ProblemTypes.defaults().kind(400)).isEqualTo("bad-request");
		assertThat(importer.kind(414)).isEqualTo("uri-too-long");
		assertThat(importer.kind(431)).isEqualTo("headers-too-large");
		assertThat(importer.kind(500)).isEqualTo("internal-error");
		assertThat(importer.kind(503)).isEqualTo("unavailable");
	}

	@Test
	void theProblemCarriesTypeStatusAndWhatItMeans() {
		ProblemDetail problem = ProblemTypes.defaults().problem(414);

		assertThat(problem.getType()).hasToString("https://pgext.dev/problems/uri-too-long");
		assertThat(problem.getStatus()).isEqualTo(414);
		assertThat(problem.getDetail()).isEqualTo("the URL is longer than this service accepts");
		assertThat(ProblemTypes.defaults().problem(502).getDetail())
			.isEqualTo("the service could not complete the request; retry later");
		// a status without a name of its own
		assertThat(ProblemTypes.defaults().problem(599).getStatus()).isEqualTo(599);
		assertThat(ProblemTypes.defaults().problem(499).getDetail()).isEqualTo("the request was refused: 499");
	}

}
