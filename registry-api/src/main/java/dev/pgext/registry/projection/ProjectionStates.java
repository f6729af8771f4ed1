package dev.pgext.registry.projection;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What the reconciler last wrote under each target ({@code projection_object}) and how
 * far into the event outbox each target's projection reaches
 * ({@code projection_watermark}). The reconciler updates both in the transaction that
 * holds the target's lock, after the store writes they describe, so a run that dies
 * leaves them describing at most what is in the store.
 */
@Component
public class ProjectionStates {

	private final JdbcClient jdbc;

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

	/** The objects recorded for {@code target}, by store key. */
	public Map<String, Stored> objects(String target) {
		Map<String, Stored> objects = new HashMap<>();
		this.jdbc.sql("select key, sha256, size from projection_object where target = ?").param(target).query((rs) -> {
			objects.put(rs.getString(1), new Stored(rs.getString(2), rs.getLong(3)));
		});
		return objects;
	}

	/** Records {@code objects} as everything {@code target} holds. */
	void replace(String target, Map<String, Stored> objects) {
		this.jdbc.sql("delete from projection_object where target = ?").param(target).update();
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
	}

	/** Forgets {@code keys} of {@code target}. */
	void remove(String target, Collection<String> keys) {
		if (!keys.isEmpty()) {
			this.jdbc.sql("delete from projection_object where target = ? and key = any(?)")
				.params(target, keys.toArray(String[]::new))
				.update();
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
