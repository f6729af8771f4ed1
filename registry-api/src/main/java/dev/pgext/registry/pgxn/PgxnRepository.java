package dev.pgext.registry.pgxn;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Reads the public catalog the way PGXN documents need it: releases with their status,
 * the META as sent, the source distribution and the publishing user. Yanked releases are
 * left out, as PGXN never lists a withdrawn release.
 */
@Repository
class PgxnRepository {

	private static final String RELEASE_COLUMNS = """
			r.distribution, r.version, r.abstract, r.license, coalesce(r.metadata ->> 'release_status', 'stable'),
			r.published_at, u.name, r.metadata_text, r.metadata::text, r.source_sha256, r.source_sha1, r.tags, r.source_size, r.readme
			""";

	private static final String RELEASES = "select " + RELEASE_COLUMNS + """
			from release r join registry_user u on u.id = r.published_by
			where r.scope = '' and r.yanked_at is null
			""";

	/**
	 * {@link #RELEASE_COLUMNS} without the large ones (META.json twice, the README), for
	 * what reads every release but none of those.
	 */
	private static final String RELEASE_SUMMARIES = """
			select r.distribution, r.version, r.abstract, r.license,
			    coalesce(r.metadata ->> 'release_status', 'stable'), r.published_at, u.name, null, null, r.source_sha256,
			    r.source_sha1, r.tags, r.source_size, null
			from release r join registry_user u on u.id = r.published_by
			where r.scope = '' and r.yanked_at is null
			""";

	private final JdbcClient jdbc;

	PgxnRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * One public release.
	 *
	 * @param distribution the distribution name
	 * @param version the release version
	 * @param summary its abstract
	 * @param license its license
	 * @param status PGXN release status: {@code stable}, {@code testing} or
	 * {@code unstable}
	 * @param publishedAt when it was published
	 * @param user who published it
	 * @param metadataText META.json as sent, or {@code null} for releases older than that
	 * @param metadataJson META.json as the catalog keeps it
	 * @param sourceSha256 the source distribution's blob, or {@code null}
	 * @param sourceSha1 the source distribution's SHA-1, or {@code null}
	 * @param tags its tags
	 * @param sourceSize the source distribution's size, or {@code null}
	 * @param readme the README it was published with, or {@code null}
	 */
	record ReleaseRow(String distribution, String version, String summary, String license, String status,
			Instant publishedAt, String user, String metadataText, String metadataJson, String sourceSha256,
			String sourceSha1, List<String> tags, Long sourceSize, String readme) {

		String metadata() {
			return (this.metadataText != null) ? this.metadataText : this.metadataJson;
		}

	}

	/**
	 * One extension of a release.
	 *
	 * @param name the extension name
	 * @param version its default version
	 * @param summary its control file comment
	 */
	record ExtensionRow(String name, String version, String summary) {
	}

	List<ReleaseRow> releases() {
		return this.jdbc.sql(RELEASES + " order by r.distribution, r.published_at, r.id").query(this::release).list();
	}

	/**
	 * Every public release without its META.json and README
	 * ({@link ReleaseRow#metadata()} is {@code null}), in the order of
	 * {@link #releases()}.
	 */
	List<ReleaseRow> releaseSummaries() {
		return this.jdbc.sql(RELEASE_SUMMARIES + " order by r.distribution, r.published_at, r.id")
			.query(this::release)
			.list();
	}

	/** The releases of {@code distributions}, in the order of {@link #releases()}. */
	List<ReleaseRow> releasesOf(Collection<String> distributions) {
		return this.jdbc.sql(RELEASES + " and r.distribution = any(?) order by r.distribution, r.published_at, r.id")
			.param(distributions.toArray(String[]::new))
			.query(this::release)
			.list();
	}

	List<ReleaseRow> releasesOf(String distribution) {
		return this.jdbc.sql(RELEASES + " and r.distribution = ? order by r.published_at, r.id")
			.param(distribution)
			.query(this::release)
			.list();
	}

	Optional<ReleaseRow> release(String distribution, String version) {
		return this.jdbc.sql(RELEASES + " and r.distribution = ? and r.version = ?")
			.params(distribution, version)
			.query(this::release)
			.optional();
	}

	List<ReleaseRow> releasesBy(String user) {
		return this.jdbc.sql(RELEASES + " and u.name = ? order by r.distribution, r.published_at, r.id")
			.param(user)
			.query(this::release)
			.list();
	}

	List<ReleaseRow> releasesTagged(String tag) {
		return this.jdbc.sql(RELEASES + " and ? = any(r.tags) order by r.distribution, r.published_at, r.id")
			.param(tag)
			.query(this::release)
			.list();
	}

	/** The extensions of a release, one per name (the newest Postgres major's build). */
	List<ExtensionRow> extensionsOf(String distribution, String version) {
		return this.jdbc.sql("""
				select distinct on (e.name) e.name, e.default_version, e.comment
				from release_extension e join release r on r.id = e.release_id
				where r.scope = '' and r.distribution = ? and r.version = ?
				order by e.name, e.pg_major desc
				""")
			.params(distribution, version)
			.query((rs, n) -> new ExtensionRow(rs.getString(1), rs.getString(2), rs.getString(3)))
			.list();
	}

	/**
	 * The releases providing extension {@code name}, with the extension's version in
	 * each.
	 */
	List<Provider> providersOf(String name) {
		return this.jdbc.sql("select distinct on (r.id) " + RELEASE_COLUMNS + """
				, e.default_version, e.comment
				from release_extension e join release r on r.id = e.release_id
				join registry_user u on u.id = r.published_by
				where r.scope = '' and r.yanked_at is null and e.name = ?
				order by r.id, e.pg_major desc
				""")
			.param(name)
			.query((rs, n) -> new Provider(release(rs, n), rs.getString(15), rs.getString(16)))
			.list();
	}

	/**
	 * A release providing an extension.
	 *
	 * @param release the release
	 * @param version the extension's version in it
	 * @param summary the extension's comment
	 */
	record Provider(ReleaseRow release, String version, String summary) {
	}

	/**
	 * What the documents of {@code distributions} touch besides their own: the extension
	 * names, publishing users and tags of every one of their releases, yanked ones
	 * included (a yank removes the release from those documents).
	 *
	 * @param extensions extension names
	 * @param users publishing users
	 * @param tags tags
	 */
	record Touched(Set<String> extensions, Set<String> users, Set<String> tags) {
	}

	Touched touchedBy(Collection<String> distributions) {
		String[] names = distributions.toArray(String[]::new);
		Set<String> users = new TreeSet<>();
		Set<String> tags = new TreeSet<>();
		this.jdbc
			.sql("select u.name, r.tags from release r join registry_user u on u.id = r.published_by "
					+ "where r.scope = '' and r.distribution = any(?)")
			.param(names)
			.query((rs) -> {
				users.add(rs.getString(1));
				Array array = rs.getArray(2);
				if (array != null) {
					tags.addAll(List.of((String[]) array.getArray()));
				}
			});
		Set<String> extensions = new TreeSet<>(this.jdbc
			.sql("select distinct e.name from release_extension e join release r on r.id = e.release_id "
					+ "where r.scope = '' and r.distribution = any(?)")
			.param(names)
			.query(String.class)
			.list());
		return new Touched(extensions, users, tags);
	}

	/** Names of users who published a public release. */
	List<String> users() {
		return this.jdbc
			.sql("select distinct u.name from release r join registry_user u on u.id = r.published_by "
					+ "where r.scope = '' and r.yanked_at is null order by 1")
			.query(String.class)
			.list();
	}

	/** Every tag of a public release. */
	List<String> tags() {
		return this.jdbc
			.sql("select distinct unnest(tags) from release where scope = '' and yanked_at is null " + "order by 1")
			.query(String.class)
			.list();
	}

	/**
	 * How many extensions, publishing users and tags the public releases have.
	 *
	 * @param extensions distinct extension names
	 * @param users distinct publishing users
	 * @param tags distinct tags
	 */
	record Counts(long extensions, long users, long tags) {
	}

	/** The sizes of {@link #extensions()}, {@link #users()} and {@link #tags()}. */
	Counts counts() {
		return this.jdbc.sql("""
				select
				    (select count(distinct e.name) from release_extension e join release r on r.id = e.release_id
				     where r.scope = '' and r.yanked_at is null),
				    (select count(distinct r.published_by) from release r where r.scope = '' and r.yanked_at is null),
				    (select count(*) from (select distinct unnest(tags) from release
				     where scope = '' and yanked_at is null) t)
				""").query((rs, n) -> new Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3))).single();
	}

	/** Every public extension name. */
	List<String> extensions() {
		return this.jdbc
			.sql("select distinct e.name from release_extension e join release r on r.id = e.release_id "
					+ "where r.scope = '' and r.yanked_at is null order by 1")
			.query(String.class)
			.list();
	}

	/**
	 * A full-text search hit on the public catalog.
	 *
	 * @param extension the extension
	 * @param distribution its distribution
	 * @param version the distribution version
	 * @param summary its abstract
	 * @param description its description
	 * @param rank the text rank
	 */
	record Hit(String extension, String distribution, String version, String summary, String description, double rank) {
	}

	/**
	 * The catalog's full-text query (the one {@code /api/v1/search} runs: web-search
	 * syntax in the English and simple configurations), over public extensions not wholly
	 * yanked.
	 */
	List<Hit> search(String q, int limit, int offset) {
		return this.jdbc.sql("""
				with q as (select websearch_to_tsquery('english', :q) || websearch_to_tsquery('simple', :q) as ts)
				select c.name, c.distribution, c.version, c.abstract, c.description, ts_rank(c.document, q.ts)
				from catalog_entry c, q
				where c.scope = '' and c.document @@ q.ts
				  and not exists (select 1 from release r where r.scope = c.scope
				      and r.distribution = c.distribution and r.version = c.version and r.yanked_at is not null)
				order by lower(c.name) = lower(:q) desc, 6 desc, c.name
				limit :limit offset :offset
				""")
			.param("q", q)
			.param("limit", limit)
			.param("offset", offset)
			.query((rs, n) -> new Hit(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
					rs.getString(5), rs.getDouble(6)))
			.list();
	}

	private ReleaseRow release(ResultSet rs, int n) throws SQLException {
		return new ReleaseRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
				rs.getTimestamp(6).toInstant(), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
				rs.getString(11), strings(rs.getArray(12)), rs.getObject(13, Long.class), rs.getString(14));
	}

	private static List<String> strings(Array array) throws SQLException {
		return (array != null) ? List.of((String[]) array.getArray()) : List.of();
	}

}
