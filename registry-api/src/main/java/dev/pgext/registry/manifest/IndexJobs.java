package dev.pgext.registry.manifest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import tools.jackson.databind.JsonNode;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.auth.Caller;
import dev.pgext.registry.jobs.Job;
import dev.pgext.registry.jobs.JobHandler;
import dev.pgext.registry.jobs.JobQueue;
import dev.pgext.registry.jobs.Operations;

/**
 * Index work that runs as jobs: bringing one scope and major back in line with the catalog
 * after a yank ({@value #RESYNC}), and regenerating every index and seed layout on an
 * administrator's request ({@value #REGENERATE}, {@code POST /api/v1/admin/indexes/regenerate},
 * answered with 202 and an operation).
 */
@RestController
class IndexJobs {

	/** Job kind: payload {@code tenant}, {@code pg_majors}, {@code names}. */
	static final String RESYNC = SeedLayout.RESYNC_JOB;

	static final String REGENERATE = "indexes.regenerate";

	private final JobQueue jobs;

	private final AuditLog audit;

	IndexJobs(JobQueue jobs, AuditLog audit) {
		this.jobs = jobs;
		this.audit = audit;
	}

	@Operation(summary = "Regenerate every ext_index.json and seed layout from the catalog (admin; 202 + operation)")
	@PostMapping("/api/v1/admin/indexes/regenerate")
	@Transactional
	ResponseEntity<dev.pgext.registry.jobs.Operation> regenerate(@Parameter(hidden = true) Caller caller) {
		caller.requireScope(Caller.ADMIN);
		long id = this.jobs.enqueue(REGENERATE, Map.of(), caller.name());
		this.audit.record(caller.name(), "indexes.regenerate", "*", Map.of("operation", id));
		return Operations.accepted(this.jobs, id);
	}

	@Configuration(proxyBeanMethods = false)
	static class Handlers {

		@Bean
		JobHandler storeResyncHandler(SeedLayout seedLayout) {
			return new JobHandler() {

				@Override
				public String kind() {
					return RESYNC;
				}

				@Override
				public Object run(Job job, Progress progress) {
					Scope scope = Scope.parse(job.payload().path("tenant").asString(null));
					List<String> names = new ArrayList<>();
					job.payload().path("names").forEach((name) -> names.add(name.asString()));
					List<Integer> majors = new ArrayList<>();
					for (JsonNode major : job.payload().path("pg_majors")) {
						PgMajor pg = PgMajor.of(major.asInt());
						seedLayout.restore(scope, pg, seedLayout.pathsOf(scope, pg, names));
						majors.add(pg.value());
					}
					return Map.of("pg_majors", majors, "names", names);
				}

			};
		}

		@Bean
		JobHandler regenerateIndexesHandler(SeedLayout seedLayout, JdbcClient jdbc) {
			return new JobHandler() {

				@Override
				public String kind() {
					return REGENERATE;
				}

				@Override
				public Object run(Job job, Progress progress) {
					List<Map.Entry<String, Integer>> targets = jdbc
						.sql("select distinct scope, pg_major from release_extension order by scope, pg_major")
						.query((rs, n) -> Map.entry(rs.getString(1), rs.getInt(2)))
						.list();
					Map<String, Integer> regenerated = new LinkedHashMap<>();
					int done = 0;
					for (Map.Entry<String, Integer> target : targets) {
						Scope scope = Scopes.fromColumn(target.getKey());
						PgMajor major = PgMajor.of(target.getValue());
						seedLayout.restore(scope, major, seedLayout.pathsOf(scope, major, null));
						regenerated.merge(scope.isPublic() ? "public" : scope.tenant().value(), 1, Integer::sum);
						progress.report(++done * 100 / targets.size());
					}
					return Map.of("indexes", done, "by_scope", regenerated);
				}

			};
		}

	}

}
