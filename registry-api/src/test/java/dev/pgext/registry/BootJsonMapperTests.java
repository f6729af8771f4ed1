package dev.pgext.registry;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.pgext.model.json.DocumentJson;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry's beans write their JSON (job payloads, audit details, events, webhook
 * bodies, bundle rows) with the mapper Boot configures. These are the reasons that is the
 * same JSON as a plain mapper's: Boot keeps Jackson 3's defaults, so nulls, instants,
 * durations and property order come out as before, and unknown properties are ignored
 * alike.
 */
class BootJsonMapperTests {

	private final ApplicationContextRunner contexts = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class));

	/**
	 * A value with what the registry's beans write: nulls, instants, durations, nesting.
	 */
	record Detail(String actor, Instant at, Duration took, String none, List<Integer> sizes,
			Map<String, Object> extra) {
	}

	@Test
	void bootsMapperWritesTheBytesAPlainMapperWrites() {
		Map<String, Object> extra = new LinkedHashMap<>();
		extra.put("zeta", null);
		extra.put("alpha", Instant.parse("2026-12-01T16:00:00.123Z"));
		Detail detail = new Detail("admin", Instant.parse("2026-12-01T16:00:00Z"), Duration.ofMillis(1500), null,
				List.of(3, 1, 2), extra);
		this.contexts.run((context) -> {
			JsonMapper boot = context.getBean(JsonMapper.class);
			assertThat(boot.writeValueAsString(detail)).isEqualTo(DocumentJson.COMPACT.writeValueAsString(detail))
				.contains("\"none\":null")
				.contains("\"at\":\"2026-12-01T16:00:00Z\"");
			assertThat(boot.writeValueAsString(extra)).isEqualTo(DocumentJson.COMPACT.writeValueAsString(extra));
		});
	}

	@Test
	void bootsMapperReadsTheWayAPlainMapperReads() {
		String stored = "{\"actor\":\"admin\",\"at\":\"2026-12-01T16:00:00Z\",\"took\":1.5,\"sizes\":[1]}";
		this.contexts.run((context) -> {
			JsonMapper boot = context.getBean(JsonMapper.class);
			assertThat(boot.readValue(stored, Detail.class))
				.isEqualTo(DocumentJson.COMPACT.readValue(stored, Detail.class));
			JsonNode tree = boot.readTree(stored);
			assertThat(tree).isEqualTo(DocumentJson.COMPACT.readTree(stored));
			String newer = "{\"actor\":\"admin\",\"added_later\":1}";
			assertThat(boot.readValue(newer, Detail.class))
				.isEqualTo(DocumentJson.COMPACT.readValue(newer, Detail.class))
				.extracting(Detail::actor)
				.isEqualTo("admin");
		});
	}

}
