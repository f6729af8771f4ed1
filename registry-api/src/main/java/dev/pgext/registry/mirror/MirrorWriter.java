package dev.pgext.registry.mirror;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.store.ObjectInfo;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.auth.Caller;
import dev.pgext.registry.events.Events;
import dev.pgext.registry.jobs.Job;
import dev.pgext.registry.jobs.JobHandler;
import dev.pgext.registry.jobs.JobQueue;
import dev.pgext.registry.jobs.Operations;

/**
 * Writes the mirror. A refresh ({@value Events#MIRROR_REFRESH}, enqueued with every public
 * change) compares the freshly built files with the digests in the current
 * {@code snapshot.json} and writes only what changed; a rebuild ({@value #REBUILD},
 * {@code POST /api/v1/admin/mirror/rebuild}, 202 with an operation) ignores what is
 * there, writes everything and removes strays. Both write {@code snapshot.json} last, so a
 * mirror that copies the snapshot's files finds each with the digest it names. Writers take
 * one advisory lock, so an older view of the catalog never overwrites a newer one.
 */
@RestController
class MirrorWriter {

	static final String REBUILD = "mirror.rebuild";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final MirrorContent content;

	private final ObjectStore store;

	private final JdbcClient jdbc;

	private final TransactionTemplate locking;

	private final TransactionTemplate snapshot;

	private final JobQueue jobs;

	private final AuditLog audit;

	private final MirrorProperties properties;

	MirrorWriter(MirrorContent content, ObjectStore store, JdbcClient jdbc, PlatformTransactionManager transactions,
			JobQueue jobs, AuditLog audit, MirrorProperties properties) {
		this.content = content;
		this.store = store;
		this.jdbc = jdbc;
		this.locking = new TransactionTemplate(transactions);
		this.snapshot = new TransactionTemplate(transactions);
		this.snapshot.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
		this.snapshot.setReadOnly(true);
		this.jobs = jobs;
		this.audit = audit;
		this.properties = properties;
	}

	@Operation(summary = "Rebuild the static mirror from the catalog alone (admin; 202 + operation)")
	@PostMapping("/api/v1/admin/mirror/rebuild")
	@Transactional
	ResponseEntity<dev.pgext.registry.jobs.Operation> rebuild(@Parameter(hidden = true) Caller caller) {
		caller.requireScope(Caller.ADMIN);
		long id = this.jobs.enqueue(REBUILD, Map.of(), caller.name());
		this.audit.record(caller.name(), "mirror.rebuild", "mirror", Map.of("operation", id));
		return Operations.accepted(this.jobs, id);
	}

	/**
	 * What a mirror write did.
	 *
	 * @param files files in the mirror, besides the snapshot
	 * @param written files written
	 * @param deleted files removed
	 */
	record Result(int files, int written, int deleted) {
	}

	Result write(boolean fromScratch, JobHandler.Progress progress) {
		return this.locking.execute((status) -> {
			this.jdbc.sql("select pg_advisory_xact_lock(hashtext('pgext-mirror'))").query((rs, n) -> 1).list();
			// built after the lock is held, in a transaction of its own, so it sees every change
			// committed before
			TreeMap<String, byte[]> files = this.snapshot.execute((inner) -> this.content.files());
			Map<String, String> digests = new TreeMap<>();
			files.forEach((path, bytes) -> digests.put(path, Sha256Digest.of(bytes).hex()));
			Map<String, String> previous = fromScratch ? Map.of() : previousDigests();
			TreeSet<String> existing = new TreeSet<>();
			if (fromScratch) {
				for (ObjectInfo object : this.store.list(StoreLayout.MIRROR)) {
					existing.add(object.key().substring(StoreLayout.MIRROR.length()));
				}
			}
			else {
				existing.addAll(previous.keySet());
			}
			int written = 0;
			int done = 0;
			for (Map.Entry<String, byte[]> file : files.entrySet()) {
				if (!digests.get(file.getKey()).equals(previous.get(file.getKey()))) {
					this.store.put(StoreLayout.mirror(file.getKey()), file.getValue(), "application/json");
					written++;
				}
				if (++done % 100 == 0) {
					progress.report(done * 90 / files.size());
				}
			}
			boolean unchanged = !fromScratch && written == 0 && previous.keySet().equals(digests.keySet());
			if (unchanged) {
				// a change that the mirror does not show (a new maintainer, say): nothing to write
				return new Result(files.size(), 0, 0);
			}
			Map<String, Object> snapshotFile = new LinkedHashMap<>();
			snapshotFile.put("format", 1);
			Map<String, Object> listed = new LinkedHashMap<>();
			digests.forEach((path, digest) -> listed.put(path,
					Map.of("sha256", digest, "size", files.get(path).length)));
			snapshotFile.put("files", listed);
			this.store.put(StoreLayout.mirror(MirrorContent.SNAPSHOT), MirrorContent.json(snapshotFile),
					"application/json");
			int deleted = 0;
			for (String stale : existing) {
				if (!files.containsKey(stale) && !stale.equals(MirrorContent.SNAPSHOT)) {
					this.store.delete(StoreLayout.MIRROR + stale);
					deleted++;
				}
			}
			return new Result(files.size(), written, deleted);
		});
	}

	boolean enabled() {
		return this.properties.enabled();
	}

	private Map<String, String> previousDigests() {
		Optional<byte[]> current = this.store.getBytes(StoreLayout.mirror(MirrorContent.SNAPSHOT));
		Map<String, String> digests = new TreeMap<>();
		if (current.isPresent()) {
			JsonNode files = JSON.readTree(current.get()).path("files");
			for (String path : files.propertyNames()) {
				digests.put(path, files.path(path).path("sha256").asString());
			}
		}
		return digests;
	}

	@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
	static class Handlers {

		@org.springframework.context.annotation.Bean
		JobHandler mirrorRefreshHandler(MirrorWriter writer) {
			return handler(Events.MIRROR_REFRESH, writer, false);
		}

		@org.springframework.context.annotation.Bean
		JobHandler mirrorRebuildHandler(MirrorWriter writer) {
			return handler(REBUILD, writer, true);
		}

		private static JobHandler handler(String kind, MirrorWriter writer, boolean fromScratch) {
			return new JobHandler() {

				@Override
				public String kind() {
					return kind;
				}

				@Override
				public Object run(Job job, Progress progress) {
					if (!writer.enabled()) {
						return Map.of("skipped", "pgext.registry.mirror.enabled is false");
					}
					return writer.write(fromScratch, progress);
				}

			};
		}

	}

}
