package dev.pgext.registry;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.pgext.registry.search.SearchSql;
import dev.pgext.testsupport.ContribExtension;
import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Search latency over HTTP with 10,000 extensions in the catalog (or each size of
 * {@code pgext.bench.extensions}, the catalog growing from one to the next). Not part of
 * {@code verify} (the name matches no surefire include); run it on purpose:
 *
 * <pre>
 * ./mvnw -B -pl registry-api -am test -Dtest=SearchBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * ./mvnw -B -pl registry-api -am test -Dtest=SearchBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dpgext.bench.extensions=10000,100000
 * </pre>
 *
 * After the timings it prints {@code EXPLAIN (ANALYZE, BUFFERS)} of the endpoint's own
 * statement ({@link SearchSql}) for the broad queries.
 *
 * A handful of real contrib extensions go in through the publish API; the rest are
 * catalog entries written with the same {@code catalog_document} function the publisher
 * uses, with names, abstracts, tags and descriptions drawn from an extension-like
 * vocabulary.
 */
@Tag("bench")
class SearchBenchmark extends RegistryIntegrationTest {

	/** Catalog sizes measured one after the other, growing the same catalog. */
	private static final String SIZES = System.getProperty("pgext.bench.extensions", "10000");

	private static final int WARMUP = 50;

	private static final int RUNS = 300;

	@Test
	void searchAtEachCatalogSize() {
		for (String name : List.of("hstore", "pg_trgm", "pgcrypto", "citext", "cube", "earthdistance")) {
			assertThat(publish(ADMIN_TOKEN, null, TestArtifacts.metadata(name, "1.0-bench"),
					Map.of("pg17", ContribExtension.of(PostgresInstalls.shared(17), name).tarGz()))
				.status()).isEqualTo(201);
		}
		int inserted = 0;
		for (String size : SIZES.split(",")) {
			int extensions = Integer.parseInt(size.strip());
			measure(inserted, extensions - 6);
			inserted = extensions - 6;
		}
	}

	private void measure(int from, int to) {
		this.jdbc.sql("""
				with words as (select array['geo', 'spatial', 'index', 'text', 'search', 'vector', 'graph', 'time',
				    'series', 'queue', 'cron', 'audit', 'json', 'hash', 'crypto', 'uuid', 'partition', 'stats',
				    'fuzzy', 'match', 'trigram', 'phonetic', 'money', 'network', 'ip', 'range', 'tree', 'ltree',
				    'cache', 'foreign', 'wrapper', 'http', 'sql', 'plpgsql', 'bloom', 'sketch', 'histogram',
				    'compression', 'columnar', 'shard'] as w)
				insert into catalog_entry (scope, name, distribution, version, abstract, description, tags, pg_majors,
				    document)
				select '', n, n, '1.' || (i % 7), a, d, t, case when i % 3 = 0 then '{15,17}'::int[] else '{17}' end,
				    catalog_document(n, n, n, a, t, d)
				from words, generate_series(:from + 1, :to) i,
				    lateral (select w[1 + (i * 7) % 40] || '_' || w[1 + (i * 13) % 40] || '_' || i as n,
				        'A ' || w[1 + (i * 3) % 40] || ' ' || w[1 + (i * 11) % 40] || ' extension for '
				            || w[1 + (i * 17) % 40] || ' workloads' as a,
				        'Provides ' || w[1 + (i * 19) % 40] || ' functions, ' || w[1 + (i * 23) % 40]
				            || ' operators and ' || w[1 + (i * 29) % 40] || ' index support. ' || repeat('Lorem ipsum '
				            || w[1 + (i * 31) % 40] || ' dolor. ', 5) as d,
				        array[w[1 + (i * 5) % 40], w[1 + (i * 37) % 40]] as t) g
				""").param("from", from).param("to", to).update();
		this.jdbc.sql("analyze catalog_entry").update();
		long total = this.jdbc.sql("select count(*) from catalog_entry").query(Long.class).single();
		assertThat(total).isGreaterThanOrEqualTo(to + 6);

		Map<String, String> queries = new LinkedHashMap<>();
		queries.put("exact name", "q=hstore");
		queries.put("one word", "q=trigram");
		queries.put("two words", "q=" + URLEncoder.encode("spatial index", StandardCharsets.UTF_8));
		queries.put("common word, page 5", "q=extension&page=5");
		queries.put("word + pg=15 + tag", "q=geo&pg=15&tag=vector");
		queries.put("name prefix", "q=pg_tr");
		queries.put("no match", "q=zzzzqqq");
		System.out.printf("%n%d extensions in the catalog; %d runs per query after %d warm-up runs%n%n", total, RUNS,
				WARMUP);
		System.out.println("| query | hits | mean ms | p50 ms | p95 ms | p99 ms |");
		System.out.println("|---|---|---|---|---|---|");
		RegistryClient client = api();
		for (Map.Entry<String, String> query : queries.entrySet()) {
			String path = "/api/v1/search?" + query.getValue();
			for (int i = 0; i < WARMUP; i++) {
				client.get(path, null);
			}
			long[] nanos = new long[RUNS];
			long hits = 0;
			for (int i = 0; i < RUNS; i++) {
				long start = System.nanoTime();
				RegistryClient.Response response = client.get(path, null);
				nanos[i] = System.nanoTime() - start;
				assertThat(response.status()).isEqualTo(200);
				hits = response.json().path("total").asLong();
			}
			Arrays.sort(nanos);
			System.out.printf("| %s (`%s`) | %d | %.1f | %.1f | %.1f | %.1f |%n", query.getKey(), query.getValue(),
					hits, Arrays.stream(nanos).average().orElse(0) / 1e6, nanos[RUNS / 2] / 1e6,
					nanos[RUNS * 95 / 100] / 1e6, nanos[RUNS * 99 / 100] / 1e6);
		}
		explain("two words", "spatial index", null, null, 0);
		explain("common word, page 5", "extension", null, null, 5);
		explain("word + pg=15 + tag", "geo", 15, "vector", 0);
	}

	private void explain(String title, String q, Integer pg, String tag, int page) {
		List<String> plan = SearchSql
			.bind(this.jdbc.sql("explain (analyze, buffers) " + SearchSql.statement(pg != null, tag != null)), q, "",
					pg, tag, page, 20)
			.query(String.class)
			.list();
		System.out.printf("%nEXPLAIN (ANALYZE, BUFFERS), %s (q=%s):%n", title, q);
		plan.forEach(System.out::println);
	}

}
