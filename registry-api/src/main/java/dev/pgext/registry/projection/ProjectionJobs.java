package dev.pgext.registry.projection;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.jobs.Job;
import dev.pgext.registry.jobs.JobHandler;
import dev.pgext.registry.jobs.JobQueue;
import dev.pgext.registry.jobs.Operations;
import dev.pgext.service.openapi.ProblemResponses;

/**
 * The reconciler as jobs: one target after each change ({@value Projections#RECONCILE}),
 * every target on an administrator's request or periodically
 * ({@value Projections#RECONCILE_ALL}). {@code POST /api/v1/admin/projections/reconcile}
 * (also reachable under its older name {@code /api/v1/admin/indexes/regenerate}) and
 * {@code POST /api/v1/admin/mirror/rebuild} answer 202 with the operation.
 */
@Tag(name = "admin", description = "Administration: reconciling the projections in the store with the catalog")
@RestController
class ProjectionJobs {

	private final Projections projections;

	private final JobQueue jobs;

	private final AuditLog audit;

	ProjectionJobs(Projections projections, JobQueue jobs, AuditLog audit) {
		this.projections = projections;
		this.jobs = jobs;
		this.audit = audit;
	}

	@Operation(summary = "Reconcile every projection (indexes, seed layouts, mirror) with the catalog "
			+ "(admin; 202 + operation)")
	@ResponseStatus(HttpStatus.ACCEPTED)
	@ProblemResponses(HttpStatus.FORBIDDEN)
	@PostMapping("/api/v1/admin/projections/reconcile")
	@Transactional
	ResponseEntity<dev.pgext.registry.jobs.Operation> reconcileAll(@Parameter(hidden = true) Caller caller) {
		caller.requireScope(Caller.ADMIN);
		long id = this.projections.requestAll(caller.name());
		this.audit.record(caller.name(), "projections.reconcile", "*", Map.of("operation", id));
		return Operations.accepted(this.jobs, id);
	}

	@Operation(summary = "Reconcile every projection; the former name of POST /api/v1/admin/projections/reconcile",
			deprecated = true)
	@ResponseStatus(HttpStatus.ACCEPTED)
	@ProblemResponses(HttpStatus.FORBIDDEN)
	@PostMapping("/api/v1/admin/indexes/regenerate")
	@Transactional
	ResponseEntity<dev.pgext.registry.jobs.Operation> regenerateIndexes(@Parameter(hidden = true) Caller caller) {
		return reconcileAll(caller);
	}

	@Operation(summary = "Reconcile the static mirror with the catalog (admin; 202 + operation)")
	@ResponseStatus(HttpStatus.ACCEPTED)
	@ProblemResponses(HttpStatus.FORBIDDEN)
	@PostMapping("/api/v1/admin/mirror/rebuild")
	@Transactional
	ResponseEntity<dev.pgext.registry.jobs.Operation> rebuildMirror(@Parameter(hidden = true) Caller caller) {
		caller.requireScope(Caller.ADMIN);
		long id = this.projections.requestFull(new ProjectionTarget.Mirror(), caller.name());
		this.audit.record(caller.name(), "mirror.rebuild", "mirror", Map.of("operation", id));
		return Operations.accepted(this.jobs, id);
	}

	@Configuration(proxyBeanMethods = false)
	static class Handlers {

		@Bean
		JobHandler projectionReconcileHandler(ProjectionReconciler reconciler) {
			return new JobHandler() {

				@Override
				public String kind() {
					return Projections.RECONCILE;
				}

				@Override
				public Object run(Job job, Progress progress) {
					return reconciler.reconcile(ProjectionTarget.parse(job.payload().path("target").asString()),
							job.payload().path("full").asBoolean(false));
				}

			};
		}

		@Bean
		JobHandler projectionReconcileAllHandler(ProjectionReconciler reconciler) {
			return new JobHandler() {

				@Override
				public String kind() {
					return Projections.RECONCILE_ALL;
				}

				@Override
				public Object run(Job job, Progress progress) {
					List<ProjectionTarget> targets = reconciler.targets();
					int written = 0;
					int deleted = 0;
					int done = 0;
					for (ProjectionTarget target : targets) {
						ProjectionReconciler.Result result = reconciler.reconcile(target, true);
						written += result.written();
						deleted += result.deleted();
						progress.report(++done * 100 / targets.size());
					}
					Map<String, Object> summary = new LinkedHashMap<>();
					summary.put("targets", targets.size());
					summary.put("written", written);
					summary.put("deleted", deleted);
					return summary;
				}

			};
		}

	}

}
