package dev.pgext.importer.run;

import java.time.Clock;
import java.util.function.UnaryOperator;

import dev.pgext.importer.run.IndexPartStore.Versioned;

/**
 * The owning instance's view of one {@code index_part.json}: every change is a
 * conditional write on the last ETag seen. When a write loses, the document is read
 * again: if another instance owns the import now, or it was cancelled, this instance
 * stops; otherwise the change is applied to the fresh document and written again.
 */
final class IndexHandle {

	private final IndexPartStore store;

	private final String instanceId;

	private final Clock clock;

	private Versioned current;

	IndexHandle(IndexPartStore store, String instanceId, Clock clock, Versioned current) {
		this.store = store;
		this.instanceId = instanceId;
		this.clock = clock;
		this.current = current;
	}

	synchronized IndexPart part() {
		return this.current.part();
	}

	/**
	 * Applies {@code change} to the import and writes it; throws
	 * {@link ImportStoppedException} when fenced out.
	 */
	synchronized IndexPart update(UnaryOperator<IndexPart.Import> change) {
		for (int attempt = 0; attempt < 10; attempt++) {
			IndexPart next = this.current.part().with(change.apply(this.current.part().importPgdata()));
			var written = this.store.replace(this.current, next);
			if (written.isPresent()) {
				this.current = written.get();
				return next;
			}
			Versioned fresh = this.store.read(next.id())
				.orElseThrow(() -> new ImportStoppedException("index_part.json of " + next.id() + " is gone"));
			IndexPart.Import state = fresh.part().importPgdata();
			if (state.owner() == null || !this.instanceId.equals(state.owner().instance())) {
				throw new ImportStoppedException("import " + next.id() + " is now owned by "
						+ ((state.owner() != null) ? state.owner().instance() : "nobody"));
			}
			if (state.state() == IndexPart.State.CANCELLED) {
				this.current = fresh;
				throw new ImportStoppedException("import " + next.id() + " was cancelled");
			}
			this.current = fresh;
		}
		throw new ImportStoppedException("index_part.json keeps changing under this instance");
	}

	Clock clock() {
		return this.clock;
	}

}
