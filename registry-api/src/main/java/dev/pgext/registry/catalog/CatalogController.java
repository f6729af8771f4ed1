package dev.pgext.registry.catalog;

import java.io.InputStream;
import java.sql.Array;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.core.io.InputStreamResource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.auth.Caller;
import dev.pgext.registry.storage.DownloadLinks;
import dev.pgext.registry.problem.RegistryException;

/**
 * The read side of the catalog. Without {@code tenant} only the public scope is shown;
 * with it, the public scope and that tenant's private one, which only the tenant's tokens
 * and administrators may ask for.
 */
@RestController
class CatalogController {

	private final JdbcClient jdbc;

	private final ObjectStore store;

	private final DownloadLinks links;

	CatalogController(JdbcClient jdbc, ObjectStore store, DownloadLinks links) {
		this.jdbc = jdbc;
		this.store = store;
		this.links = links;
	}

	/**
	 * An extension as listed.
	 *
	 * @param name the extension name
	 * @param tenant the tenant of a private extension, or {@code null}
	 * @param distribution the distribution that provides it
	 * @param version its newest release
	 * @param summary one-line summary
	 * @param tags tags of its distribution
	 * @param pgMajors Postgres majors it is available for
	 * @param updatedAt when it was last published
	 */
	record ExtensionSummary(String name, String tenant, String distribution, String version,
			@JsonProperty("abstract") String summary, List<String> tags,
			@JsonProperty("pg_majors") List<Integer> pgMajors, @JsonProperty("updated_at") Instant updatedAt) {
	}

	/**
	 * One page of results.
	 *
	 * @param page the page number, from 0
	 * @param size the page size
	 * @param total the number of items on all pages
	 * @param items the items of this page
	 * @param <T> the item type
	 */
	record Page<T>(int page, int size, long total, List<T> items) {
	}

	@Operation(summary = "List extensions, filtered by Postgres major, tag and tenant")
	@GetMapping("/api/v1/extensions")
	Page<ExtensionSummary> list(@Parameter(hidden = true) Caller caller, @RequestParam(required = false) String tenant,
			@RequestParam(name = "pg", required = false) Integer pg, @RequestParam(required = false) String tag,
			@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "50") @Min(1) @Max(500) int size) {
		Scope scope = Scope.parse(tenant);
		caller.requireRead(scope);
		// an extension whose current release is yanked leaves the listing until it is
		// un-yanked or a newer release comes
		StringBuilder where = new StringBuilder(" where scope in ('', :tenant) and not exists (select 1 from release r "
				+ "where r.scope = catalog_entry.scope and r.distribution = catalog_entry.distribution "
				+ "and r.version = catalog_entry.version and r.yanked_at is not null)");
		Map<String, Object> params = new HashMap<>();
		params.put("tenant", Scopes.column(scope));
		if (pg != null) {
			where.append(" and :pg = any(pg_majors)");
			params.put("pg", PgMajor.of(pg).value());
		}
		if (tag != null) {
			where.append(" and :tag = any(tags)");
			params.put("tag", tag.toLowerCase(java.util.Locale.ROOT));
		}
		long total = this.jdbc.sql("select count(*) from catalog_entry" + where)
			.params(params)
			.query(Long.class)
			.single();
		List<ExtensionSummary> items = this.jdbc
			.sql("select scope, name, distribution, version, abstract, tags, pg_majors, updated_at from catalog_entry"
					+ where + " order by name, scope limit :limit offset :offset")
			.params(params)
			.param("limit", size)
			.param("offset", (long) page * size)
			.query((rs, n) -> new ExtensionSummary(rs.getString(2), Scopes.tenantOf(rs.getString(1)), rs.getString(3),
					rs.getString(4), rs.getString(5), strings(rs.getArray(6)), ints(rs.getArray(7)),
					rs.getTimestamp(8).toInstant()))
			.list();
		return new Page<>(page, size, total, items);
	}

	/**
	 * An extension and every version published of it.
	 *
	 * @param extension the extension as listed
	 * @param versions its releases, newest first
	 */
	record ExtensionDetail(ExtensionSummary extension, List<VersionSummary> versions) {
	}

	/**
	 * One release of an extension.
	 *
	 * @param version the release version
	 * @param distribution its distribution
	 * @param pgMajors Postgres majors it was built for
	 * @param publishedAt when it was published
	 */
	record VersionSummary(String version, String distribution, @JsonProperty("pg_majors") List<Integer> pgMajors,
			@JsonProperty("published_at") Instant publishedAt) {
	}

	@Operation(summary = "One extension and its versions")
	@GetMapping("/api/v1/extensions/{name}")
	ExtensionDetail extension(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@RequestParam(required = false) String tenant) {
		Scope scope = visibleScope(caller, name, tenant);
		ExtensionSummary summary = this.jdbc
			.sql("select scope, name, distribution, version, abstract, tags, pg_majors, updated_at from catalog_entry "
					+ "where scope = ? and name = ?")
			.params(Scopes.column(scope), name)
			.query((rs, n) -> new ExtensionSummary(rs.getString(2), Scopes.tenantOf(rs.getString(1)), rs.getString(3),
					rs.getString(4), rs.getString(5), strings(rs.getArray(6)), ints(rs.getArray(7)),
					rs.getTimestamp(8).toInstant()))
			.single();
		List<VersionSummary> versions = this.jdbc
			.sql("select r.version, r.distribution, array_agg(distinct e.pg_major order by e.pg_major), r.published_at "
					+ "from release r join release_extension e on e.release_id = r.id "
					+ "where e.scope = ? and e.name = ? group by r.id order by r.published_at desc, r.id desc")
			.params(Scopes.column(scope), name)
			.query((rs, n) -> new VersionSummary(rs.getString(1), rs.getString(2), ints(rs.getArray(3)),
					rs.getTimestamp(4).toInstant()))
			.list();
		return new ExtensionDetail(summary, versions);
	}

	/**
	 * One extension of one release for one Postgres major, with its files.
	 *
	 * @param name the extension name
	 * @param version the release version
	 * @param tenant the tenant of a private release, or {@code null}
	 * @param distribution its distribution
	 * @param pgMajor the Postgres major
	 * @param defaultVersion {@code default_version} of its control file
	 * @param control the control file's text
	 * @param libraries libraries it provides
	 * @param requires extensions it requires
	 * @param preload its preload need
	 * @param trusted whether non-superusers may install it
	 * @param superuser whether installing it needs a superuser
	 * @param files its files; download each from {@code /api/v1/files/{sha256}}
	 */
	record ExtensionBuild(String name, String version, String tenant, String distribution,
			@JsonProperty("pg_major") int pgMajor, @JsonProperty("default_version") String defaultVersion,
			String control, List<String> libraries, List<String> requires, String preload, boolean trusted,
			boolean superuser, List<ExtFile> files) {
	}

	@Operation(summary = "One version of an extension: control file, libraries, requires and files per Postgres major")
	@GetMapping("/api/v1/extensions/{name}/versions/{version}")
	List<ExtensionBuild> version(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@PathVariable String version, @RequestParam(required = false) String tenant) {
		Scope scope = visibleScope(caller, name, tenant);
		List<ExtensionBuild> builds = builds("e.scope = ? and e.name = ? and r.version = ?", Scopes.column(scope), name,
				version);
		if (builds.isEmpty()) {
			throw RegistryException.notFound("extension " + name + " has no version " + version);
		}
		return builds;
	}

	@Operation(summary = "One release of a distribution: every extension per Postgres major")
	@GetMapping("/api/v1/distributions/{name}/versions/{version}")
	List<ExtensionBuild> release(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@PathVariable String version, @RequestParam(required = false) String tenant) {
		Scope scope = Scope.parse(tenant);
		caller.requireRead(scope);
		List<ExtensionBuild> builds = builds("r.scope = ? and r.distribution = ? and r.version = ?",
				Scopes.column(scope), name, version);
		if (builds.isEmpty()) {
			throw RegistryException.notFound("distribution " + name + " has no version " + version + " in " + scope);
		}
		return builds;
	}

	private List<ExtensionBuild> builds(String condition, Object... params) {
		record Row(long id, ExtensionBuild build) {
		}
		List<Row> rows = this.jdbc
			.sql("select e.id, e.name, r.version, r.scope, r.distribution, e.pg_major, e.default_version, e.control, "
					+ "e.libraries, e.requires, e.preload, e.trusted, e.superuser from release_extension e "
					+ "join release r on r.id = e.release_id where " + condition + " order by e.name, e.pg_major")
			.params(params)
			.query((rs, n) -> new Row(rs.getLong(1),
					new ExtensionBuild(rs.getString(2), rs.getString(3), Scopes.tenantOf(rs.getString(4)),
							rs.getString(5), rs.getInt(6), rs.getString(7), rs.getString(8), strings(rs.getArray(9)),
							strings(rs.getArray(10)), rs.getString(11), rs.getBoolean(12), rs.getBoolean(13),
							List.of())))
			.list();
		List<ExtensionBuild> builds = new ArrayList<>();
		for (Row row : rows) {
			List<ExtFile> files = this.jdbc
				.sql("select path, sha256, size from release_file where extension_id = ? order by path")
				.param(row.id())
				.query((rs, n) -> new ExtFile(rs.getString(1), new Sha256Digest(rs.getString(2)), rs.getLong(3)))
				.list();
			ExtensionBuild b = row.build();
			builds.add(new ExtensionBuild(b.name(), b.version(), b.tenant(), b.distribution(), b.pgMajor(),
					b.defaultVersion(), b.control(), b.libraries(), b.requires(), b.preload(), b.trusted(),
					b.superuser(), files));
		}
		return builds;
	}

	@Operation(summary = "Download a file by its sha256, streamed from the store, or with redirect=true a 302 to a "
			+ "presigned store URL valid for 15 minutes")
	@GetMapping("/api/v1/files/{sha256}")
	ResponseEntity<InputStreamResource> file(@Parameter(hidden = true) Caller caller, @PathVariable String sha256,
			@RequestParam(defaultValue = "false") boolean redirect) {
		Sha256Digest digest = Sha256Digest.parse(sha256);
		List<String> scopes = this.jdbc
			.sql("select distinct e.scope from release_file f join release_extension e on e.id = f.extension_id "
					+ "where f.sha256 = ?")
			.param(digest.hex())
			.query(String.class)
			.list();
		// a digest the caller may not read answers exactly like one nobody published, so
		// that its existence in another tenant's scope cannot be probed
		if (scopes.stream().map(Scopes::fromColumn).noneMatch(caller::canRead)) {
			throw RegistryException.notFound("no published file visible to this caller has that sha256");
		}
		boolean visibleToAll = scopes.contains(Scopes.column(Scope.PUBLIC));
		long size = this.jdbc.sql("select size from release_file where sha256 = ? limit 1")
			.param(digest.hex())
			.query(Long.class)
			.single();
		if (redirect) {
			return ResponseEntity.status(HttpStatus.FOUND).location(this.links.get(StoreLayout.blob(digest))).build();
		}
		InputStream content = this.store.get(StoreLayout.blob(digest))
			.orElseThrow(() -> RegistryException.notFound("the content of " + digest.hex() + " is not in the store"));
		return ResponseEntity.ok()
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.contentLength(size)
			.eTag("\"" + digest.prefixed() + "\"")
			.cacheControl(visibleToAll ? CacheControl.maxAge(java.time.Duration.ofDays(365)).cachePublic().immutable()
					: CacheControl.maxAge(java.time.Duration.ofDays(365)).cachePrivate().immutable())
			.body(new InputStreamResource(content));
	}

	/** The tenant's own extension of that name when there is one, else the public one. */
	private Scope visibleScope(Caller caller, String name, String tenant) {
		Scope scope = Scope.parse(tenant);
		caller.requireRead(scope);
		List<String> found = this.jdbc
			.sql("select scope from catalog_entry where name = ? and scope in ('', ?) " + "order by scope desc")
			.params(name, Scopes.column(scope))
			.query(String.class)
			.list();
		if (found.isEmpty()) {
			throw RegistryException.notFound("no extension " + name + (scope.isPublic() ? "" : " for " + scope));
		}
		return Scopes.fromColumn(found.get(0));
	}

	static List<String> strings(Array array) throws SQLException {
		return (array != null) ? List.of((String[]) array.getArray()) : List.of();
	}

	static List<Integer> ints(Array array) throws SQLException {
		return (array != null) ? List.of((Integer[]) array.getArray()) : List.of();
	}

}
