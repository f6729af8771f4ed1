package dev.pgext.registry;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The background CPU one publish costs (the projection runs it asks for: the scope's seed
 * layout and {@code ext_index.json}, and the static mirror) as the public catalog grows.
 * The catalog is filled with SQL to each size of {@code pgext.bench.extensions} (one SQL
 * extension per distribution, without files, so that a full reconcile does not copy
 * 10,000 seed files into the in-process S3 endpoint first; tags drawn from 40 words,
 * published by a user of their own), a full reconcile brings the store in line, then each
 * of {@value #PUBLISHES} publishes over HTTP is followed by waiting for its projection
 * runs; the CPU time of the registry's background threads over that wait is the figure
 * (the embedded Postgres and s3proxy are not in it). Sizes may repeat and shrink
 * ({@code 1000,10000,1000,10000}: a smaller size removes the seeded distributions above
 * it), so that the sizes are measured alternately under the same load; each size's
 * publishes are pooled over its rounds. Not part of {@code verify}; run it on purpose:
 *
 * <pre>
 * ./mvnw -B -pl registry-api -am test -Dtest=ProjectionCostBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dpgext.bench.extensions=1000,10000
 * # recording the seeded mirror documents instead of a full reconcile (this registry only):
 * ./mvnw -B -pl registry-api -am test -Dtest=ProjectionCostBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dpgext.bench.extensions=1000,10000,1000,10000 -Dpgext.bench.publishes=5 -Dpgext.bench.prefill=true
 * </pre>
 */
@Tag("bench")
class ProjectionCostBenchmark extends RegistryIntegrationTest {

	private static final String SIZES = System.getProperty("pgext.bench.extensions", "1000,10000");

	private static final int PUBLISHES = Integer.getInteger("pgext.bench.publishes", 10);

	/**
	 * Instead of a full reconcile after seeding, record the seeded distributions' mirror
	 * documents as written (as a full reconcile would have), so that a large catalog can
	 * be measured without first writing seven objects per distribution into the
	 * in-process S3 endpoint. Only for a registry that keeps such records.
	 */
	private static final boolean PREFILL = Boolean.getBoolean("pgext.bench.prefill");

	private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

	@Test
	void backgroundCpuPerPublishAsTheCatalogGrows() {
		assertThat(publish(ADMIN_TOKEN, null, TestArtifacts.metadata("cost_seed", "1.0.0"),
				Map.of("pg16", TestArtifacts.sqlExtension("cost_seed").tarGz()))
			.status()).isEqualTo(201);
		awaitProjections();
		int seeded = 1;
		int published = 0;
		// sizes may repeat and shrink (1000,10000,1000,10000): each size's publishes are
		// pooled over its rounds, so sizes measured alternately share the machine's load
		Map<Integer, List<Long>> cpuBySize = new TreeMap<>();
		Map<Integer, List<Long>> wallBySize = new TreeMap<>();
		// without the first publish of each round, whose run reads the whole catalog
		// once:
		// the seeding or shrinking changed it without events
		Map<Integer, List<Long>> steadyCpuBySize = new TreeMap<>();
		Map<Integer, List<Long>> steadyWallBySize = new TreeMap<>();
		System.out.printf("%n| round | extensions | publishes | background CPU per publish: mean ms | p50 ms | max ms "
				+ "| wall to projected p50 ms | load average |%n|---|---|---|---|---|---|---|---|%n");
		int round = 0;
		for (String size : SIZES.split(",")) {
			int extensions = Integer.parseInt(size.strip());
			if (extensions < seeded) {
				shrink(seeded, extensions);
			}
			else {
				seed(seeded, extensions);
				if (PREFILL) {
					prefill(seeded, extensions);
				}
				else {
					RegistryClient.Response accepted = api().postJson("/api/v1/admin/projections/reconcile",
							ADMIN_TOKEN, Map.of());
					String location = accepted.headers().getLocation().toString();
					// a full reconcile of a large catalog takes minutes on a loaded
					// machine
					Awaitility.await("the full reconcile")
						.atMost(Duration.ofMinutes(30))
						.pollInterval(Duration.ofSeconds(1))
						.until(() -> !List.of("pending", "running")
							.contains(api().get(location, ADMIN_TOKEN).json().path("state").asString()));
					assertThat(api().get(location, ADMIN_TOKEN).json().path("state").asString()).isEqualTo("succeeded");
					awaitProjections();
				}
			}
			seeded = extensions;
			long[] cpu = new long[PUBLISHES];
			long[] wall = new long[PUBLISHES];
			for (int i = 0; i < PUBLISHES; i++) {
				String name = "cost_new_" + published++;
				byte[] artifact = TestArtifacts.sqlExtension(name).tarGz();
				long before = backgroundCpu();
				long start = System.nanoTime();
				assertThat(publish(ADMIN_TOKEN, null, TestArtifacts.metadata(name, "1.0.0"), Map.of("pg16", artifact))
					.status()).isEqualTo(201);
				awaitBackground();
				wall[i] = System.nanoTime() - start;
				cpu[i] = backgroundCpu() - before;
				assertThat(this.store.head("mirror/extensions/" + name + ".json")).isPresent();
				cpuBySize.computeIfAbsent(extensions, (k) -> new ArrayList<>()).add(cpu[i]);
				wallBySize.computeIfAbsent(extensions, (k) -> new ArrayList<>()).add(wall[i]);
				if (i > 0) {
					steadyCpuBySize.computeIfAbsent(extensions, (k) -> new ArrayList<>()).add(cpu[i]);
					steadyWallBySize.computeIfAbsent(extensions, (k) -> new ArrayList<>()).add(wall[i]);
				}
			}
			System.out.printf("| %d | %,d | %d | %s | %.2f |%n", ++round, extensions, PUBLISHES, figures(cpu, wall),
					ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
		}
		System.out.printf("%n| extensions | publishes | background CPU per publish: mean ms | p50 ms | max ms "
				+ "| wall to projected p50 ms |%n|---|---|---|---|---|---|%n");
		pooled(cpuBySize, wallBySize, "");
		pooled(steadyCpuBySize, steadyWallBySize, " (without each round's first)");
		System.out.printf("load average %.2f%n%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
	}

	/**
	 * Adds public distributions {@code cost_ext_<from>} up to {@code cost_ext_<to - 1>}.
	 */
	private void seed(int from, int to) {
		long seedRelease = this.jdbc.sql("select id from release where distribution = 'cost_seed'")
			.query(Long.class)
			.single();
		this.jdbc.sql("insert into registry_user (name) values ('cost-seeder') on conflict (name) do nothing").update();
		this.jdbc
			.sql("""
					insert into distribution (scope, name) select '', 'cost_ext_' || i from generate_series(:from, :to - 1) i
					""")
			.param("from", from)
			.param("to", to)
			.update();
		this.jdbc.sql("""
				insert into extension_name (scope, name, distribution)
				select '', 'cost_ext_' || i, 'cost_ext_' || i from generate_series(:from, :to - 1) i
				""").param("from", from).param("to", to).update();
		this.jdbc
			.sql("""
					insert into release (scope, distribution, version, abstract, description, license, tags, metadata,
					    metadata_text, published_by)
					select '', 'cost_ext_' || i, '1.0.0', 'Benchmark extension ' || i, 'Seeded for the projection benchmark',
					    'postgresql', array['tag' || (i % 40)],
					    jsonb_build_object('name', 'cost_ext_' || i, 'version', '1.0.0', 'abstract', 'Benchmark extension ' || i),
					    null, u.id
					from generate_series(:from, :to - 1) i, (select id from registry_user where name = 'cost-seeder') u
					""")
			.param("from", from)
			.param("to", to)
			.update();
		this.jdbc.sql("""
				insert into release_extension (release_id, scope, pg_major, name, default_version, control, comment,
				    libraries, requires, preload, trusted, superuser)
				select r.id, '', 16, r.distribution, '1.0.0', e.control, e.comment, '{}', '{}', e.preload, e.trusted,
				    e.superuser
				from release r, (select * from release_extension where release_id = :seed limit 1) e
				where r.distribution like 'cost\\_ext\\_%' and r.scope = ''
				    and not exists (select 1 from release_extension x where x.release_id = r.id)
				""").param("seed", seedRelease).update();
	}

	private static void pooled(Map<Integer, List<Long>> cpuBySize, Map<Integer, List<Long>> wallBySize, String label) {
		cpuBySize.forEach((extensions, cpu) -> System.out.printf("| %,d%s | %d | %s |%n", extensions, label, cpu.size(),
				figures(cpu.stream().mapToLong(Long::longValue).toArray(),
						wallBySize.get(extensions).stream().mapToLong(Long::longValue).toArray())));
	}

	/** Mean, p50 and max of {@code cpu} and the p50 of {@code wall}, in ms. */
	private static String figures(long[] cpu, long[] wall) {
		Arrays.sort(cpu);
		Arrays.sort(wall);
		return String.format("%.1f | %.1f | %.1f | %.1f", Arrays.stream(cpu).average().orElse(0) / 1e6,
				median(cpu) / 1e6, cpu[cpu.length - 1] / 1e6, median(wall) / 1e6);
	}

	private static double median(long[] sorted) {
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2.0;
	}

	/**
	 * Removes the seeded distributions {@code cost_ext_<to>} up to
	 * {@code cost_ext_<from - 1>} (and their recorded mirror documents), without events,
	 * as {@link #seed} added them.
	 */
	private void shrink(int from, int to) {
		String names = "select 'cost_ext_' || i from generate_series(:to, :from - 1) i";
		this.jdbc
			.sql("delete from release_extension where release_id in (select id from release where scope = '' "
					+ "and distribution in (" + names + "))")
			.param("from", from)
			.param("to", to)
			.update();
		this.jdbc.sql("delete from release where scope = '' and distribution in (" + names + ")")
			.param("from", from)
			.param("to", to)
			.update();
		this.jdbc.sql("delete from extension_name where scope = '' and name in (" + names + ")")
			.param("from", from)
			.param("to", to)
			.update();
		this.jdbc.sql("delete from distribution where scope = '' and name in (" + names + ")")
			.param("from", from)
			.param("to", to)
			.update();
		if (PREFILL) {
			this.jdbc.sql("""
					delete from projection_object where target = 'mirror'
					    and split_part(split_part(key, '/', 3), '.', 1) in (
					        select 'cost_ext_' || i from generate_series(:to, :from - 1) i)
					""").param("from", from).param("to", to).update();
			newMirrorRevision();
		}
	}

	/**
	 * Records the mirror documents of {@code cost_ext_<from>} to
	 * {@code cost_ext_<to - 1>} as written.
	 */
	private void prefill(int from, int to) {
		this.jdbc.sql("""
				insert into projection_object (target, key, sha256, size)
				select 'mirror', 'mirror/' || replace(p, '{n}', 'cost_ext_' || i), repeat('0', 64), 100
				from generate_series(:from, :to - 1) i, unnest(array['extensions/{n}.json', 'extensions/{n}/1.0.0.json',
				    'dist/{n}.json', 'dist/{n}/1.0.0/META.json', 'dist/{n}/1.0.0/META.published.json',
				    'dist/{n}/1.0.0/README.txt', 'extension/{n}.json']) p
				on conflict do nothing
				""").param("from", from).param("to", to).update();
		newMirrorRevision();
	}

	/**
	 * The mirror's records changed behind the registry's back: a new revision makes it
	 * read them.
	 */
	private void newMirrorRevision() {
		this.jdbc.sql("""
				insert into projection_revision (target, revision) values ('mirror', nextval('projection_revision_seq'))
				on conflict (target) do update set revision = excluded.revision
				""").update();
	}

	private void awaitBackground() {
		Awaitility.await("projection runs to finish")
			.atMost(Duration.ofMinutes(10))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> this.jdbc
				.sql("select count(*) from job where kind like 'projection.%' and state in ('pending', 'running')")
				.query(Long.class)
				.single() == 0);
	}

	private static long backgroundCpu() {
		long total = 0;
		for (ThreadInfo thread : THREADS.dumpAllThreads(false, false)) {
			if (thread.getThreadName().startsWith("pgext-background")) {
				total += Math.max(0, THREADS.getThreadCpuTime(thread.getThreadId()));
			}
		}
		return total;
	}

}
