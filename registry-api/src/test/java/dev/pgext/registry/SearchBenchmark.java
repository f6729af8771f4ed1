package dev.pgext.registry;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

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
 * Each query is timed over HTTP and, apart from that, as the endpoint's own statement
 * ({@link SearchSql}) run through the same connection pool; then the database server's
 * CPU time per statement is read from {@code /proc} for the backend of one connection
 * (less sensitive to the machine's load than wall time); after the timings it prints that
 * statement and its {@code EXPLAIN (ANALYZE, BUFFERS)} for every query. The bulk load is
 * followed by {@code VACUUM ANALYZE}, as autovacuum would do, and every query is run once
 * before any is timed.
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

	/** The statement is printed once, with the first plan. */
	private boolean statementPrinted;

	@Autowired
	private DataSource dataSource;

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
		// what autovacuum does after a bulk load: the GIN indexes' pending lists merged,
		// planner
		// statistics (tsvector lexeme frequencies) current
		this.jdbc.sql("vacuum analyze catalog_entry").update();
		long total = this.jdbc.sql("select count(*) from catalog_entry").query(Long.class).single();
		assertThat(total).isGreaterThanOrEqualTo(to + 6);

		List<Query> queries = List.of(new Query("exact name", "hstore", null, null, 0),
				new Query("one word", "trigram", null, null, 0), new Query("two words", "spatial index", null, null, 0),
				new Query("common word, page 5", "extension", null, null, 5),
				new Query("word + pg=15 + tag", "geo", 15, "vector", 0),
				new Query("name prefix", "pg_tr", null, null, 0), new Query("no match", "zzzzqqq", null, null, 0));
		System.out.printf(
				"%n%d extensions in the catalog; %d runs per query after %d warm-up runs; load average %s%n%n", total,
				RUNS, WARMUP, loadAverage());
		System.out.println("| query | hits | HTTP p50 ms | HTTP p95 ms | HTTP p99 ms | SQL p50 ms | SQL p95 ms "
				+ "| SQL p99 ms | server CPU ms |");
		System.out.println("|---|---|---|---|---|---|---|---|---|");
		RegistryClient client = api();
		// every query once first, so that the first one timed does not carry the others'
		// first runs
		queries.forEach((query) -> client.get("/api/v1/search?" + query.parameters(), null));
		for (Query query : queries) {
			String path = "/api/v1/search?" + query.parameters();
			for (int i = 0; i < WARMUP; i++) {
				client.get(path, null);
			}
			long[] http = new long[RUNS];
			long hits = 0;
			for (int i = 0; i < RUNS; i++) {
				long start = System.nanoTime();
				RegistryClient.Response response = client.get(path, null);
				http[i] = System.nanoTime() - start;
				assertThat(response.status()).isEqualTo(200);
				hits = response.json().path("total").asLong();
			}
			// the endpoint's statement alone, through the same connection pool and driver
			long[] sql = new long[RUNS];
			for (int i = 0; i < RUNS; i++) {
				long start = System.nanoTime();
				int rows = SearchSql
					.bind(this.jdbc.sql(SearchSql.statement(query.pg() != null, query.tag() != null)), query.q(), "",
							query.pg(), query.tag(), query.page(), 20)
					.query()
					.listOfRows()
					.size();
				sql[i] = System.nanoTime() - start;
				assertThat(rows).isLessThanOrEqualTo(20);
			}
			Arrays.sort(http);
			Arrays.sort(sql);
			System.out.printf("| %s (`%s`) | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %s |%n", query.title(),
					query.parameters(), hits, http[RUNS / 2] / 1e6, http[RUNS * 95 / 100] / 1e6,
					http[RUNS * 99 / 100] / 1e6, sql[RUNS / 2] / 1e6, sql[RUNS * 95 / 100] / 1e6,
					sql[RUNS * 99 / 100] / 1e6, serverCpu(query));
		}
		System.out.printf("load average after: %s%n", loadAverage());
		queries.forEach(this::explain);
	}

	/**
	 * The database backend's CPU time (user + system, from {@code /proc/<pid>/stat}) per
	 * run of the endpoint's statement, over {@link #RUNS} runs on one connection, or
	 * {@code "unknown"} where the backend's {@code /proc} entry cannot be read.
	 */
	private String serverCpu(Query query) {
		try (Connection connection = this.dataSource.getConnection()) {
			JdbcClient one = JdbcClient.create(new SingleConnectionDataSource(connection, true));
			int pid = one.sql("select pg_backend_pid()").query(Integer.class).single();
			Path stat = Path.of("/proc", Integer.toString(pid), "stat");
			// the same process only if this JVM and the server share a PID namespace
			if (!Files.isReadable(stat) || !Files.readString(stat).contains("(postgres)")) {
				return "unknown";
			}
			long before = cpuTicks(stat);
			for (int i = 0; i < RUNS; i++) {
				SearchSql
					.bind(one.sql(SearchSql.statement(query.pg() != null, query.tag() != null)), query.q(), "",
							query.pg(), query.tag(), query.page(), 20)
					.query()
					.listOfRows();
			}
			// clock ticks of 10 ms (USER_HZ 100)
			return String.format("%.2f", (cpuTicks(stat) - before) * 10.0 / RUNS);
		}
		catch (SQLException | IOException ex) {
			return "unknown";
		}
	}

	private static long cpuTicks(Path stat) throws IOException {
		String line = Files.readString(stat);
		// the fields after the command name, which is in parentheses and may hold spaces
		String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
		return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
	}

	private static String loadAverage() {
		try {
			return Files.readString(Path.of("/proc/loadavg")).strip();
		}
		catch (IOException ex) {
			return "unknown";
		}
	}

	/** One benchmark query: the endpoint's parameters. */
	private record Query(String title, String q, Integer pg, String tag, int page) {

		String parameters() {
			return "q=" + URLEncoder.encode(this.q, StandardCharsets.UTF_8)
					+ ((this.pg != null) ? "&pg=" + this.pg : "") + ((this.tag != null) ? "&tag=" + this.tag : "")
					+ ((this.page != 0) ? "&page=" + this.page : "");
		}

	}

	private void explain(Query query) {
		String statement = SearchSql.statement(query.pg() != null, query.tag() != null);
		List<String> plan = SearchSql
			.bind(this.jdbc.sql("explain (analyze, buffers) " + statement), query.q(), "", query.pg(), query.tag(),
					query.page(), 20)
			.query(String.class)
			.list();
		System.out.printf("%nEXPLAIN (ANALYZE, BUFFERS), %s (%s):%n", query.title(), query.parameters());
		if (!this.statementPrinted) {
			System.out.println(statement);
			this.statementPrinted = true;
		}
		plan.forEach(System.out::println);
	}

}
