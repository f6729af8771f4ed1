package dev.pgext.registry.catalog;

import java.sql.Array;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The {@code catalog_entry} rows behind listing and search: one per extension name and
 * scope, showing its current release ({@link Versions#current}). Every change to an
 * extension's releases (publish, yank, un-yank) recomputes its row in the change's own
 * transaction. When every release is yanked the row keeps the highest one, which the
 * listing hides.
 */
@Component
public class CatalogEntries {

	private final JdbcClient jdbc;

	CatalogEntries(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	private record Candidate(String version, boolean yanked, String distribution, String summary, String description,
			List<String> tags, List<Integer> majors, String provides) {
	}

	/** Recomputes the rows of {@code names} in the stored scope {@code scope}. */
	public void refresh(String scope, Collection<String> names) {
		for (String name : new TreeSet<>(names)) {
			refresh(scope, name);
		}
	}

	private void refresh(String scope, String name) {
		List<Candidate> releases = this.jdbc.sql("""
				select r.version, r.yanked_at is not null, r.distribution,
				    coalesce(r.metadata -> 'provides' -> :name ->> 'abstract', min(e.comment), r.abstract),
				    r.description, r.tags, array_agg(distinct e.pg_major order by e.pg_major),
				    (select string_agg(distinct e2.name, ' ') from release_extension e2 where e2.release_id = r.id)
				from release r join release_extension e on e.release_id = r.id
				where e.scope = :scope and e.name = :name
				group by r.id
				""")
			.param("scope", scope)
			.param("name", name)
			.query((rs, n) -> new Candidate(rs.getString(1), rs.getBoolean(2), rs.getString(3), rs.getString(4),
					rs.getString(5), strings(rs.getArray(6)), ints(rs.getArray(7)), rs.getString(8)))
			.list();
		if (releases.isEmpty()) {
			return;
		}
		Candidate shown = Versions.current(releases, Candidate::version, Candidate::yanked)
			.orElseGet(() -> releases.stream().max((a, b) -> Versions.ORDER.compare(a.version(), b.version())).get());
		boolean anyLive = releases.stream().anyMatch((release) -> !release.yanked());
		Integer[] majors = releases.stream()
			.filter((release) -> !anyLive || !release.yanked())
			.flatMap((release) -> release.majors().stream())
			.distinct()
			.sorted()
			.toArray(Integer[]::new);
		this.jdbc.sql("""
				insert into catalog_entry (scope, name, distribution, version, abstract, description, tags, pg_majors,
				    updated_at, document)
				values (:scope, :name, :distribution, :version, :abstract, :description, :tags, :majors, now(),
				    catalog_document(:name, :distribution, :provides, :abstract, :tags, :description))
				on conflict (scope, name) do update set distribution = excluded.distribution,
				    version = excluded.version, abstract = excluded.abstract, description = excluded.description,
				    tags = excluded.tags, pg_majors = excluded.pg_majors, updated_at = now(),
				    document = excluded.document
				""")
			.param("scope", scope)
			.param("name", name)
			.param("distribution", shown.distribution())
			.param("provides", shown.provides())
			.param("version", shown.version())
			.param("abstract", shown.summary())
			.param("description", shown.description())
			.param("tags", shown.tags().toArray(String[]::new))
			.param("majors", majors)
			.update();
	}

	private static List<String> strings(Array array) throws SQLException {
		return (array != null) ? List.of((String[]) array.getArray()) : List.of();
	}

	private static List<Integer> ints(Array array) throws SQLException {
		return (array != null) ? List.of((Integer[]) array.getArray()) : List.of();
	}

}
