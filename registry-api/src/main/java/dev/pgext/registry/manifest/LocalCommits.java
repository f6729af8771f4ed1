package dev.pgext.registry.manifest;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionExecution;
import org.springframework.transaction.TransactionExecutionListener;

/**
 * Tells {@link ManifestCache} that a writing transaction of this instance has committed, so
 * that a client reading right after its own publish or yank sees it even before the
 * database's change notification arrives. Spring Boot registers this listener with the
 * transaction manager; it has no dependencies so that it can be created before it.
 */
@Component
class LocalCommits implements TransactionExecutionListener {

	private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

	void onCommit(Runnable listener) {
		this.listeners.add(listener);
	}

	@Override
	public void afterCommit(TransactionExecution transaction, @Nullable Throwable commitFailure) {
		if (transaction.isNewTransaction() && !transaction.isReadOnly()) {
			this.listeners.forEach(Runnable::run);
		}
	}

}
