package dev.pgext.registry.manifest;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionExecution;
import org.springframework.transaction.TransactionExecutionListener;

/**
 * Tells {@link ManifestCache} that a transaction of this instance that changed what a
 * manifest shows has committed, so that a client reading right after its own publish or
 * yank sees it even before the database's change notification arrives. The change
 * triggers (migration V60) set the transaction-local {@code pgext.manifest_changed}; a
 * writing transaction reads it just before its commit (one short query), other
 * transactions (jobs, tokens, audit) leave the cache alone. Spring Boot registers this
 * listener with the transaction manager.
 */
@Component
class LocalCommits implements TransactionExecutionListener {

	private final JdbcClient jdbc;

	private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

	private final ThreadLocal<Boolean> changed = new ThreadLocal<>();

	LocalCommits(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void onCommit(Runnable listener) {
		this.listeners.add(listener);
	}

	@Override
	public void beforeCommit(TransactionExecution transaction) {
		if (transaction.isNewTransaction() && !transaction.isReadOnly()) {
			boolean manifestChanged;
			try {
				manifestChanged = "on".equals(this.jdbc.sql("select current_setting('pgext.manifest_changed', true)")
					.query(String.class)
					.optional()
					.orElse(null));
			}
			catch (RuntimeException ex) {
				// the commit will tell; if it succeeds, assume the worst
				manifestChanged = true;
			}
			this.changed.set(manifestChanged);
		}
	}

	@Override
	public void afterCommit(TransactionExecution transaction, @Nullable Throwable commitFailure) {
		Boolean manifestChanged = this.changed.get();
		this.changed.remove();
		if (Boolean.TRUE.equals(manifestChanged)) {
			this.listeners.forEach(Runnable::run);
		}
	}

	@Override
	public void afterRollback(TransactionExecution transaction, @Nullable Throwable rollbackFailure) {
		this.changed.remove();
	}

}
