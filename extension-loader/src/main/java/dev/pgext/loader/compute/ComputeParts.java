package dev.pgext.loader.compute;

import dev.pgext.loader.postgres.PostgresSupervisor;

/**
 * What a started compute is made of, attached one by one as start-up creates them: its
 * catalog, its download scheduler and its Postgres. Once {@link #close()} ran, nothing
 * more can be attached: a part created by a start-up that raced the loader's stop is
 * closed at once, so no Postgres is ever launched after the loader stopped.
 */
final class ComputeParts implements AutoCloseable {

	private volatile CatalogRefresh catalog;

	private volatile DownloadScheduler scheduler;

	private volatile PostgresSupervisor postgres;

	private boolean closed;

	CatalogRefresh catalog() {
		return this.catalog;
	}

	DownloadScheduler scheduler() {
		return this.scheduler;
	}

	PostgresSupervisor postgres() {
		return this.postgres;
	}

	synchronized void attach(CatalogRefresh catalog) {
		checkOpen();
		this.catalog = catalog;
	}

	synchronized DownloadScheduler attach(DownloadScheduler scheduler) {
		if (this.closed) {
			scheduler.close();
		}
		checkOpen();
		this.scheduler = scheduler;
		return scheduler;
	}

	synchronized PostgresSupervisor attach(PostgresSupervisor postgres) {
		if (this.closed) {
			postgres.close();
		}
		checkOpen();
		this.postgres = postgres;
		return postgres;
	}

	synchronized boolean isClosed() {
		return this.closed;
	}

	private void checkOpen() {
		if (this.closed) {
			throw new IllegalStateException("the loader is stopping");
		}
	}

	/** Stops Postgres, then the downloads. */
	@Override
	public void close() {
		PostgresSupervisor postgres;
		DownloadScheduler scheduler;
		synchronized (this) {
			this.closed = true;
			postgres = this.postgres;
			scheduler = this.scheduler;
		}
		if (postgres != null) {
			postgres.close();
		}
		if (scheduler != null) {
			scheduler.close();
		}
	}

}
