package dev.pgext.registry.catalog;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.pgext.model.Scope;
import dev.pgext.model.index.ExtFile;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.caller.Caller;

/**
 * The catalog as the web pages read it: the same rows and visibility rules as the JSON
 * API ({@link CatalogController}), shaped for pages that show a whole extension or
 * distribution at once. Every method takes the {@link Caller} and shows a tenant's
 * private entries only to that tenant (and administrators, who see the public scope
 * here).
 */
@Component
public class CatalogBrowser {

	private final CatalogRepository repository;

	private final JdbcClient jdbc;

	CatalogBrowser(CatalogRepository repository, JdbcClient jdbc) {
		this.repository = repository;
		this.jdbc = jdbc;
	}

	/**
	 * An extension as listed.
	 *
	 * @param name the extension name
	 * @param tenant the tenant of a private extension, or {@code null}
	 * @param distribution the distribution that provides it
	 * @param version its current release
	 * @param summary one-line summary
	 * @param tags tags
	 * @param pgMajors Postgres majors it is available for
	 * @param updatedAt when it last changed
	 */
	public record Listed(String name, String tenant, String distribution, String version, String summary,
			List<String> tags, List<Integer> pgMajors, Instant updatedAt) {

		static Listed of(CatalogController.ExtensionSummary s) {
			return new Listed(s.name(), s.tenant(), s.distribution(), s.version(), s.summary(), s.tags(), s.pgMajors(),
					s.updatedAt());
		}
	}

	/**
	 * One release of a distribution, with its lifecycle marks.
	 *
	 * @param distribution the distribution
	 * @param tenant the tenant of a private release, or {@code null}
	 * @param version the version
	 * @param summary its abstract
	 * @param pgMajors Postgres majors it was built for
	 * @param extensions the extensions it provides
	 * @param publishedAt when it was published
	 * @param publishedBy who published it
	 * @param yankedAt when it was yanked, or {@code null}
	 * @param yankReason why, or {@code null}
	 * @param platforms the platforms it was built for, per Postgres major
	 */
	public record ReleaseLine(String distribution, String tenant, String version, String summary,
			List<Integer> pgMajors, List<String> extensions, Instant publishedAt, String publishedBy, Instant yankedAt,
			String yankReason, Map<Integer, List<String>> platforms) {

		public boolean yanked() {
			return this.yankedAt != null;
		}
	}

	/**
	 * One extension of one release for one Postgres major and platform.
	 *
	 * @param pgMajor the Postgres major
	 * @param platform the platform its libraries are built for, such as
	 * {@code linux-amd64-gnu}
	 * @param defaultVersion {@code default_version} of its control file
	 * @param libraries libraries it provides
	 * @param requires extensions it requires
	 * @param preload its preload need
	 * @param trusted whether non-superusers may install it
	 * @param files its files with their sha256
	 */
	public record Build(int pgMajor, String platform, String defaultVersion, List<String> libraries,
			List<String> requires, String preload, boolean trusted, List<ExtFile> files) {
	}

	/**
	 * Counts shown on the home page.
	 *
	 * @param extensions extensions listed
	 * @param distributions distributions with a release
	 * @param releases releases published
	 */
	public record Counts(long extensions, long distributions, long releases) {
	}

	/**
	 * A page of the listing.
	 *
	 * @param total items on all pages
	 * @param items this page
	 */
	public record Listing(long total, List<Listed> items) {
	}

	/** The stored scope a caller browses besides the public one: its tenant's. */
	public static String tenantScope(Caller caller) {
		return (caller.tenant() != null) ? caller.tenant().value() : "";
	}

	public Counts counts(Caller caller) {
		return this.jdbc.sql("""
				select (select count(*) from catalog_entry where scope in ('', :t)),
				       (select count(distinct (scope, distribution)) from release where scope in ('', :t)),
				       (select count(*) from release where scope in ('', :t))
				""")
			.param("t", tenantScope(caller))
			.query((rs, n) -> new Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3)))
			.single();
	}

	/** The newest releases the caller may see. */
	public List<ReleaseLine> recentReleases(Caller caller, int limit) {
		return releases("r.scope in ('', :t)", tenantScope(caller), null, limit);
	}

	/**
	 * The extensions with {@code tag} (or all when {@code null}) the caller may see, by
	 * name.
	 */
	public Listing list(Caller caller, String tag, int page, int size) {
		CatalogRepository.Found<CatalogController.ExtensionSummary> found = this.repository.list(tenantScope(caller),
				null, tag, page, size);
		return new Listing(found.total(), found.items().stream().map(Listed::of).toList());
	}

	/**
	 * The extension {@code name} as the caller sees it: the tenant's own when it has one,
	 * else the public one; empty when the caller may see neither.
	 */
	public Optional<Listed> extension(Caller caller, String name) {
		List<String> scopes = this.repository.scopesListing(name, tenantScope(caller));
		if (scopes.isEmpty()) {
			return Optional.empty();
		}
		return Optional.of(Listed.of(this.repository.summary(scopes.get(0), name)));
	}

	/**
	 * The longer description of the extension's current release (Markdown), or
	 * {@code null}.
	 */
	public String description(Listed extension) {
		return this.jdbc.sql("select description from catalog_entry where scope = ? and name = ?")
			.params(Scopes.column(Scope.parse(extension.tenant())), extension.name())
			.query(String.class)
			.optional()
			.orElse(null);
	}

	/** Every release providing {@code extension}, newest first, yanked ones marked. */
	public List<ReleaseLine> extensionReleases(Listed extension) {
		return releases("exists (select 1 from release_extension x where x.release_id = r.id and x.name = :name)"
				+ " and r.scope = :t", Scopes.column(Scope.parse(extension.tenant())), extension.name(), 500);
	}

	/**
	 * Every release of a distribution the caller may see, newest first; empty when none.
	 */
	public List<ReleaseLine> distributionReleases(Caller caller, String distribution) {
		List<ReleaseLine> own = releases("r.scope = :t and r.distribution = :name", tenantScope(caller), distribution,
				500);
		if (!own.isEmpty() || tenantScope(caller).isEmpty()) {
			return own;
		}
		return releases("r.scope = '' and r.distribution = :name", "", distribution, 500);
	}

	/**
	 * The README of the release that is the extension's current one (Markdown or text),
	 * or {@code null} when it was published without one.
	 */
	public String readme(Listed extension) {
		return this.jdbc.sql("select readme from release where scope = ? and distribution = ? and version = ?")
			.params(Scopes.column(Scope.parse(extension.tenant())), extension.distribution(), extension.version())
			.query(String.class)
			.optional()
			.orElse(null);
	}

	/**
	 * The builds of one extension in one release, one per Postgres major and platform.
	 */
	public List<Build> builds(Listed extension, String version) {
		return this.repository
			.builds("e.scope = ? and e.name = ? and r.version = ?", Scopes.column(Scope.parse(extension.tenant())),
					extension.name(), version)
			.stream()
			.map((b) -> new Build(b.pgMajor(), b.platform(), b.defaultVersion(), b.libraries(), b.requires(),
					b.preload(), b.trusted(), b.files()))
			.toList();
	}

	private List<ReleaseLine> releases(String condition, String tenantScope, String name, int limit) {
		var statement = this.jdbc.sql("""
				select r.distribution, r.scope, r.version, r.abstract,
				    (select array_agg(distinct e.pg_major order by e.pg_major) from release_extension e
				        where e.release_id = r.id),
				    (select array_agg(distinct e.name order by e.name) from release_extension e
				        where e.release_id = r.id),
				    r.published_at, u.name, r.yanked_at, r.yank_reason,
				    (select array_agg(distinct e.pg_major || ' ' || e.platform) from release_extension e
				        where e.release_id = r.id)
				from release r join registry_user u on u.id = r.published_by
				where """ + " " + condition + """
				 order by r.published_at desc, r.id desc limit :limit
				""").param("t", tenantScope).param("limit", limit);
		if (name != null) {
			statement = statement.param("name", name);
		}
		return statement
			.query((rs, n) -> new ReleaseLine(rs.getString(1), Scopes.tenantOf(rs.getString(2)), rs.getString(3),
					rs.getString(4), CatalogRepository.ints(rs.getArray(5)), CatalogRepository.strings(rs.getArray(6)),
					rs.getTimestamp(7).toInstant(), rs.getString(8),
					(rs.getTimestamp(9) != null) ? rs.getTimestamp(9).toInstant() : null, rs.getString(10),
					platforms(CatalogRepository.strings(rs.getArray(11)))))
			.list();
	}

	/** {@code "<major> <platform>"} pairs as platforms per major, both in order. */
	private static Map<Integer, List<String>> platforms(List<String> pairs) {
		Map<Integer, List<String>> platforms = new TreeMap<>();
		for (String pair : pairs) {
			int space = pair.indexOf(' ');
			platforms.computeIfAbsent(Integer.parseInt(pair.substring(0, space)), (major) -> new ArrayList<>())
				.add(pair.substring(space + 1));
		}
		platforms.values().forEach(Collections::sort);
		return platforms;
	}

}
