package dev.pgext.registry.projection;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What the reconciler last wrote under each target ({@code projection_object}) and how
 * far into the event outbox each target's projection reaches
 * ({@code projection_watermark}). The reconciler updates both in the transaction that
 * holds the target's lock, after the store writes they describe, so a run that dies
 * leaves them describing at most what is in the store.
 * <p>
 * A target's rows are also kept in memory, with the revision
 * ({@code projection_revision}) they were read at: a run after a change reads one number
 * instead of every row of a large target (the mirror records one row per file). A write
 * bumps the revision to a new number from a sequence and applies the same change to the
 * rows in memory; if its transaction rolls back, the number it took is never committed
 * nor handed out again, so the next read finds the revisions differ and reads the rows
 * again, as it does after a write by another instance.
 */
@Component
public class ProjectionStates {

	private final JdbcClient jdbc;

	private final Map<String, Records> cache = new ConcurrentHashMap<>();

	private record Records(long revision, TreeMap<String, Stored> objects) {
	}

	ProjectionStates(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * One object as written.
	 *
	 * @param sha256 the hex SHA-256 of its content
	 * @param size its size in bytes
	 */
	public record Stored(String sha256, long size) {
	}

	/**
	 * The objects recorded for {@code target}, by store key in key order: a read-only
	 * view that is valid until the target's records next change. Callers hold the
	 * target's lock.
	 */
	public SortedMap<String, Stored> objects(String target) {
		long revision = revision(target);
		Records cached = this.cache.get(target);
		if (cached == null || cached.revision() != revision) {
			TreeMap<String, Stored> objects = new TreeMap<>();
			this.jdbc.sql("select key, sha256, size from projection_object where target = ?")
				.param(target)
				.query((rs) -> {
					objects.put(rs.getString(1), new Stored(rs.getString(2), rs.getLong(3)));
				});
			cached = new Records(revision, objects);
			this.cache.put(target, cached);
		}
		return Collections.unmodifiableSortedMap(cached.objects());
	}

	private long revision(String target) {
		return this.jdbc.sql("select coalesce((select revision from projection_revision where target = ?), 0)")
			.param(target)
			.query(Long.class)
			.single();
	}

	/**
	 * Takes a new revision for {@code target} and applies {@code change} to the rows in
	 * memory when they are those of the revision it replaces; otherwise forgets them.
	 */
	private void changed(String target, Consumer<TreeMap<String, Stored>> change) {
		long before = revision(target);
		long revision = this.jdbc.sql("""
				insert into projection_revision (target, revision) values (?, nextval('projection_revision_seq'))
				on conflict (target) do update set revision = excluded.revision
				returning revision
				""").param(target).query(Long.class).single();
		Records cached = this.cache.get(target);
		if (cached != null && cached.revision() == before) {
			change.accept(cached.objects());
			this.cache.put(target, new Records(revision, cached.objects()));
		}
		else {
			this.cache.remove(target);
		}
	}

	/** Records {@code objects} as everything {@code target} holds. */
	void replace(String target, Map<String, Stored> objects) {
		this.jdbc.sql("delete from projection_object where target = ?").param(target).update();
		changed(target, Map::clear);
		put(target, objects);
	}

	/** Records {@code objects} as written under {@code target}. */
	void put(String target, Map<String, Stored> objects) {
		if (objects.isEmpty()) {
			return;
		}
		String[] keys = new String[objects.size()];
		String[] digests = new String[objects.size()];
		Long[] sizes = new Long[objects.size()];
		int i = 0;
		for (Map.Entry<String, Stored> object : objects.entrySet()) {
			keys[i] = object.getKey();
			digests[i] = object.getValue().sha256();
			sizes[i] = object.getValue().size();
			i++;
		}
		this.jdbc.sql("""
				insert into projection_object (target, key, sha256, size)
				select ?, * from unnest(cast(? as text[]), cast(? as text[]), cast(? as bigint[]))
				on conflict (target, key) do update set sha256 = excluded.sha256, size = excluded.size
				""").params(target, keys, digests, sizes).update();
		changed(target, (records) -> records.putAll(objects));
	}

	/** Forgets {@code keys} of {@code target}. */
	void remove(String target, Collection<String> keys) {
		if (!keys.isEmpty()) {
			this.jdbc.sql("delete from projection_object where target = ? and key = any(?)")
				.params(target, keys.toArray(String[]::new))
				.update();
			changed(target, (records) -> keys.forEach(records::remove));
		}
	}

	/**
	 * The newest outbox event the projection of {@code target} reflects, if one was
	 * recorded.
	 */
	public Optional<Long> watermark(String target) {
		return this.jdbc.sql("select event_id from projection_watermark where target = ?")
			.param(target)
			.query(Long.class)
			.optional();
	}

	void watermark(String target, long eventId) {
		this.jdbc.sql("""
				insert into projection_watermark (target, event_id) values (?, ?)
				on conflict (target) do update set event_id = excluded.event_id
				""").params(target, eventId).update();
	}

}
