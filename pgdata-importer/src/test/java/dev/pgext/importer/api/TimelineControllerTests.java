package dev.pgext.importer.api;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

import dev.pgext.importer.run.ImportRejectedException;
import dev.pgext.importer.run.ImportService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;

/**
 * The API's errors, Spring MVC's own included, are RFC 9457 problems with a stable type.
 */
@ApiSliceTest
class TimelineControllerTests {

	private static final String TIMELINES = "/v1/tenants/0123456789abcdef0123456789abcdef/shards/0/timelines";

	private static final String TIMELINE = TIMELINES + "/00000000000000000000000000000001";

	@Autowired
	private MockMvcTester mvc;

	@MockitoBean
	private ImportService imports;

	@Test
	void anUnknownPathIsANotFoundProblem() {
		assertThat(this.mvc.get().uri("/v1/no/such/path")).hasStatus(HttpStatus.NOT_FOUND)
			.hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.bodyJson()
			.extractingPath("$.type")
			.isEqualTo("https://pgext.dev/problems/not-found");
	}

	@Test
	void aWrongMethodIsAMethodNotAllowedProblem() {
		assertThat(this.mvc.put().uri(TIMELINE)).hasStatus(HttpStatus.METHOD_NOT_ALLOWED)
			.hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.bodyJson()
			.extractingPath("$.type")
			.isEqualTo("https://pgext.dev/problems/method-not-allowed");
	}

	@Test
	void aBodyThatIsNotJsonIsAnUnsupportedMediaTypeProblem() {
		assertThat(this.mvc.post().uri(TIMELINES).contentType(MediaType.TEXT_PLAIN).content("timeline please"))
			.hasStatus(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
			.hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.bodyJson()
			.extractingPath("$.type")
			.isEqualTo("https://pgext.dev/problems/unsupported-media-type");
	}

	@Test
	void aBodyThatBreaksTheRulesNamesEachFieldAsTheClientSendsIt() {
		String body = """
				{"timeline_id": "nothex",
				 "import_pgdata": {"idempotency_key": "a key",
				                   "location": {"bucket": "imports", "prefix": "../etc"}}}""";
		assertThat(this.mvc.post().uri(TIMELINES).contentType(MediaType.APPLICATION_JSON).content(body))
			.hasStatus(HttpStatus.BAD_REQUEST)
			.hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.bodyJson()
			.extractingPath("$.detail")
			.asString()
			.isEqualTo("import_pgdata.idempotency_key must be printable ASCII without spaces; "
					+ "import_pgdata.location.prefix must be path segments of letters, digits, '_', '.', '-' "
					+ "(not '.' or '..'); timeline_id must be 32 lower-case hex digits");
	}

	@Test
	void retryingAnImportThatDidNotFailIsAConflictProblem() {
		given(this.imports.retry("0123456789abcdef0123456789abcdef", 0, "00000000000000000000000000000001"))
			.willThrow(new ImportRejectedException(ImportRejectedException.Kind.NOT_FAILED, "the import is done"));
		assertThat(this.mvc.post().uri(TIMELINE + "/retry")).hasStatus(HttpStatus.CONFLICT)
			.hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.bodyJson()
			.extractingPath("$.type")
			.isEqualTo("https://pgext.dev/problems/import-not-failed");
	}

}
