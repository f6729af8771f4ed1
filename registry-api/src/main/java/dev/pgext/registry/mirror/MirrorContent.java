package dev.pgext.registry.mirror;

import java.sql.Array;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.PreloadNeed;
import dev.pgext.model.json.DocumentJson;
import dev.pgext.registry.catalog.Versions;
import dev.pgext.registry.pgxn.PgxnDocuments;
import dev.pgext.registry.projection.ExtIndexDocument;

/**
 * Every file of the mirror, built from the catalog alone: the pgext documents and, in the
 * same tree, a PGXN mirror (its templates at the top level of {@code index.json}) (public
 * scope only: private extensions never leave the registry). The output depends only on
 * the catalog's content, never on when or how often it is built, so an incremental
 * refresh and a rebuild from scratch produce the same bytes. Call inside one
 * repeatable-read transaction.
 */
@Component
class MirrorContent {

	/** Path of the top-level file listing every other file's sha256. */
	static final String SNAPSHOT = "snapshot.json";

	static final String INDEX = "index.json";

	private static final JsonMapper JSON = DocumentJson.INDENTED;

	private final JdbcClient jdbc;

	private final PgxnDocuments pgxn;

	MirrorContent(JdbcClient jdbc, PgxnDocuments pgxn) {
		this.jdbc = jdbc;
		this.pgxn = pgxn;
	}

	private record Build(long id, String name, String version, String distribution, int pgMajor, String platform,
			String defaultVersion, String control, List<String> libraries, List<String> requires, String preload,
			boolean trusted, boolean superuser, String publishedAt, String license, String summary, String description,
			List<String> tags, boolean yanked, String yankReason) {
	}

	private record Distribution(boolean deprecated, String successor, String reason) {
	}

	/**
	 * What the aggregates keep of one extension: its builds by version (publication
	 * order), its entry in {@code index.json} and its entry in each major's
	 * {@code ext_index.json}, as the bytes they have in those documents.
	 */
	private record Extension(Map<String, List<Build>> versions, Map<String, Object> document, byte[] summary,
			Map<Integer, byte[]> indexEntries) {
	}

	/**
	 * The aggregates' view of the public catalog as of outbox event {@link #watermark},
	 * by extension name: a run that continues from that event reloads only the extensions
	 * of the distributions named since. Only the mirror's runs use it, one at a time (the
	 * target's lock).
	 */
	private final TreeMap<String, Extension> catalog = new TreeMap<>();

	private long watermark = -1;

	/**
	 * The PGXN distribution zips of {@code changed} distributions (all for {@code null}),
	 * by relative path.
	 */
	Map<String, PgxnDocuments.Archive> archives(Set<String> changed) {
		return this.pgxn.mirrorArchives(changed);
	}

	/**
	 * The files that depend on some distributions.
	 *
	 * @param files relative path to content, sorted by path; the snapshot and the
	 * distribution zips ({@link #archives}) are not among them
	 * @param paths relative paths this part was computed for: such a path missing from
	 * {@code files} no longer exists; {@code null} for the whole mirror (every path)
	 * @param prefixes path prefixes this part was computed for, in the same sense
	 */
	record Part(TreeMap<String, byte[]> files, Set<String> paths, Set<String> prefixes) {

		/** Whether {@code path} is one this part was computed for. */
		boolean covers(String path) {
			return this.paths == null || this.paths.contains(path) || startsWithAny(path, this.prefixes);
		}

	}

	/**
	 * Every file that depends on the {@code changed} distributions, or every file for
	 * {@code null}: the documents of their extensions, the PGXN documents that name them,
	 * and the aggregates ({@code index.json}, each major's {@code ext_index.json}, the
	 * statistics). Each file it holds has the bytes a build of the whole mirror gives it.
	 * @param since the outbox event the previous run reflected: when the aggregates' view
	 * is that run's, only the extensions of {@code changed} distributions are read again
	 * @param newest the outbox event this run reflects
	 */
	synchronized Part files(Set<String> changed, long since, long newest) {
		Set<String> names = new TreeSet<>();
		TreeMap<String, byte[]> out = new TreeMap<>();
		boolean warm = changed != null && since == this.watermark;
		if (warm) {
			reload(changed, changed, names, out);
			// a build added or removed without an event (by hand, in SQL) leaves the view
			// with other builds than the catalog: then it is read whole
			warm = this.jdbc
				.sql("select count(*) || '/' || coalesce(max(id), 0) from release_extension where scope = ''")
				.query(String.class)
				.single()
				.equals(builds());
		}
		if (!warm) {
			this.watermark = -1;
			this.catalog.clear();
			names.clear();
			out.clear();
			reload(null, changed, names, out);
		}
		// the view is that of this run's snapshot; a run that fails is not followed by
		// one
		// from this watermark, so the next one reads everything again
		this.watermark = newest;
		TreeSet<Integer> majors = new TreeSet<>();
		List<byte[]> summaries = new ArrayList<>(this.catalog.size());
		Map<Integer, List<byte[]>> entries = new TreeMap<>();
		this.catalog.forEach((name, extension) -> {
			extension.versions().values().forEach((builds) -> builds.forEach((build) -> majors.add(build.pgMajor())));
			summaries.add(extension.summary());
			extension.indexEntries()
				.forEach((major, entry) -> entries.computeIfAbsent(major, (k) -> new ArrayList<>()).add(entry));
		});
		for (String name : names) {
			Extension extension = this.catalog.get(name);
			if (extension != null) {
				out.put(extensionPath(name), json(extension.document()));
			}
		}
		for (int major : majors) {
			out.put(extIndexPath(major),
					ExtIndexDocument.generated(PgMajor.of(major), null, entries.getOrDefault(major, List.of()))
						.content());
		}
		PgxnDocuments.MirrorPart pgxnPart = this.pgxn.mirrorDocuments(changed);
		out.putAll(pgxnPart.documents());
		// a PGXN client reads its templates at the top level of index.json
		Map<String, Object> index = new LinkedHashMap<>(PgxnDocuments.index(false));
		index.put("format", 1);
		Map<String, String> templates = new LinkedHashMap<>();
		templates.put("extension", "extensions/{name}.json");
		templates.put("version", "extensions/{name}/{version}.json");
		templates.put("ext_index", "pg/{pg_major}/ext_index.json");
		templates.put("blob", "../blobs/sha256/{sha256}");
		templates.put("snapshot", SNAPSHOT);
		index.put("templates", templates);
		index.put("pg_majors", List.copyOf(majors));
		out.put(INDEX, IndentedArrayDocument.write(index, "extensions", summaries));
		if (changed == null) {
			return new Part(out, null, Set.of());
		}
		Set<String> paths = new TreeSet<>(out.keySet());
		paths.addAll(pgxnPart.paths());
		Set<String> prefixes = new TreeSet<>(pgxnPart.prefixes());
		for (String name : names) {
			paths.add(extensionPath(name));
			prefixes.add("extensions/" + name + "/");
		}
		return new Part(out, paths, prefixes);
	}

	/** How many builds the view holds and the newest one's id, as {@code count/id}. */
	private String builds() {
		long count = 0;
		long newest = 0;
		for (Extension extension : this.catalog.values()) {
			for (List<Build> builds : extension.versions().values()) {
				for (Build build : builds) {
					count++;
					newest = Math.max(newest, build.id());
				}
			}
		}
		return count + "/" + newest;
	}

	/**
	 * Notes that the events after {@code since} up to {@code newest} changed nothing
	 * public, so a view as of {@code since} is one as of {@code newest}.
	 */
	synchronized void unchanged(long since, long newest) {
		if (this.watermark == since) {
			this.watermark = newest;
		}
	}

	/**
	 * Reads again the extensions of {@code distributions} (every extension for
	 * {@code null}) into the aggregates' view, and adds to {@code names} those whose own
	 * documents the run writes (the extensions of {@code changed}, all for {@code null}),
	 * and their version documents to {@code out}.
	 */
	private void reload(Set<String> distributions, Set<String> changed, Set<String> names, Map<String, byte[]> out) {
		String where;
		Object parameter;
		if (distributions == null) {
			where = "";
			parameter = null;
		}
		else {
			Set<String> reloaded = new TreeSet<>();
			this.catalog.forEach((name, extension) -> {
				for (List<Build> builds : extension.versions().values()) {
					if (distributions.contains(builds.get(0).distribution())) {
						reloaded.add(name);
						return;
					}
				}
			});
			reloaded.addAll(this.jdbc
				.sql("select distinct e.name from release_extension e join release r on r.id = e.release_id "
						+ "where e.scope = '' and r.distribution = any(?)")
				.param(distributions.toArray(String[]::new))
				.query(String.class)
				.list());
			reloaded.forEach(this.catalog::remove);
			where = " and e.name = any(?)";
			parameter = reloaded.toArray(String[]::new);
		}
		var query = this.jdbc.sql("""
				select e.id, e.name, r.version, r.distribution, e.pg_major, e.platform, e.default_version, e.control,
				    e.libraries, e.requires, e.preload, e.trusted, e.superuser, r.published_at, r.license, r.abstract,
				    r.description, r.tags, r.yanked_at is not null, r.yank_reason
				from release_extension e join release r on r.id = e.release_id
				where e.scope = ''""" + where + " order by e.name, r.published_at, r.id, e.pg_major");
		if (parameter != null) {
			query = query.param(parameter);
		}
		List<Build> builds = query
			.query((rs, n) -> new Build(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
					rs.getString(6), rs.getString(7), rs.getString(8), strings(rs.getArray(9)),
					strings(rs.getArray(10)), rs.getString(11), rs.getBoolean(12), rs.getBoolean(13),
					rs.getTimestamp(14).toInstant().toString(), rs.getString(15), rs.getString(16), rs.getString(17),
					strings(rs.getArray(18)), rs.getBoolean(19), rs.getString(20)))
			.list();
		builds.stream()
			.filter((build) -> changed == null || changed.contains(build.distribution()))
			.forEach((build) -> names.add(build.name()));
		Map<Long, List<Map<String, Object>>> files = new HashMap<>();
		var fileQuery = this.jdbc.sql("select f.extension_id, f.path, f.sha256, f.size from release_file f "
				+ "join release_extension e on e.id = f.extension_id where e.scope = ''" + where
				+ " order by f.extension_id, f.path");
		if (parameter != null) {
			fileQuery = fileQuery.param(parameter);
		}
		fileQuery.query((rs) -> {
			Map<String, Object> file = new LinkedHashMap<>();
			file.put("path", rs.getString(2));
			file.put("sha256", rs.getString(3));
			file.put("size", rs.getLong(4));
			files.computeIfAbsent(rs.getLong(1), (k) -> new ArrayList<>()).add(file);
		});
		Map<String, Distribution> deprecations = new HashMap<>();
		var distributionQuery = this.jdbc
			.sql("select name, deprecated_at is not null, successor, deprecation_reason from distribution "
					+ "where scope = ''" + ((parameter != null) ? " and name = any(?)" : ""));
		if (parameter != null) {
			distributionQuery = distributionQuery
				.param(builds.stream().map(Build::distribution).distinct().toArray(String[]::new));
		}
		distributionQuery.query((rs) -> {
			deprecations.put(rs.getString(1), new Distribution(rs.getBoolean(2), rs.getString(3), rs.getString(4)));
		});
		Map<String, Map<String, List<Build>>> byExtension = new TreeMap<>();
		for (Build build : builds) {
			byExtension.computeIfAbsent(build.name(), (k) -> new LinkedHashMap<>())
				.computeIfAbsent(build.version(), (k) -> new ArrayList<>())
				.add(build);
		}
		byExtension.forEach((name, versions) -> {
			this.catalog.put(name, extension(name, versions, deprecations, files));
			if (names.contains(name)) {
				for (Map.Entry<String, List<Build>> version : versions.entrySet()) {
					out.put(versionPath(name, version.getKey()),
							json(version(version.getValue().get(0), version.getValue(), files)));
				}
			}
		});
	}

	private static Extension extension(String name, Map<String, List<Build>> versions,
			Map<String, Distribution> distributions, Map<Long, List<Map<String, Object>>> files) {
		List<Map<String, Object>> versionList = new ArrayList<>();
		Build latest = Versions
			.current(versions.values().stream().map((perVersion) -> perVersion.get(0)).toList(), Build::version,
					Build::yanked)
			.orElse(null);
		for (Map.Entry<String, List<Build>> version : versions.entrySet()) {
			Build first = version.getValue().get(0);
			List<Integer> pg = version.getValue().stream().map(Build::pgMajor).toList();
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("version", version.getKey());
			entry.put("published_at", first.publishedAt());
			entry.put("pg_majors", pg);
			entry.put("yanked", first.yanked());
			if (first.yanked()) {
				entry.put("yank_reason", first.yankReason());
			}
			versionList.add(entry);
		}
		Build shown = (latest != null) ? latest : versions.values().iterator().next().get(0);
		Distribution distribution = distributions.getOrDefault(shown.distribution(),
				new Distribution(false, null, null));
		Map<String, Object> extension = new LinkedHashMap<>();
		extension.put("name", name);
		extension.put("distribution", shown.distribution());
		extension.put("latest", (latest != null) ? latest.version() : null);
		extension.put("abstract", shown.summary());
		extension.put("description", shown.description());
		extension.put("tags", shown.tags());
		extension.put("deprecated", distribution.deprecated());
		if (distribution.deprecated()) {
			extension.put("successor", distribution.successor());
			extension.put("deprecation_reason", distribution.reason());
		}
		extension.put("versions", versionList);
		Map<String, Object> summary = new LinkedHashMap<>();
		summary.put("name", name);
		summary.put("latest", extension.get("latest"));
		summary.put("abstract", shown.summary());
		summary.put("deprecated", distribution.deprecated());
		return new Extension(versions, extension, IndentedArrayDocument.element(summary),
				indexEntries(versions, files));
	}

	/**
	 * The extension's entry in each major's {@code ext_index.json}: its current build on
	 * the default platform, chosen as the store's index chooses it.
	 */
	private static Map<Integer, byte[]> indexEntries(Map<String, List<Build>> versions,
			Map<Long, List<Map<String, Object>>> files) {
		Map<Integer, List<Build>> byMajor = new TreeMap<>();
		versions.values()
			.forEach((builds) -> builds.stream()
				.filter((build) -> build.platform().equals(Platform.DEFAULT.toString()))
				.forEach((build) -> byMajor.computeIfAbsent(build.pgMajor(), (k) -> new ArrayList<>()).add(build)));
		Map<Integer, byte[]> entries = new TreeMap<>();
		byMajor.forEach((major, builds) -> Versions.current(builds, Build::version, Build::yanked)
			.ifPresent((build) -> entries.put(major, ExtIndexDocument.element(PgMajor.of(major),
					indexEntry(build, files.getOrDefault(build.id(), List.of()))))));
		return entries;
	}

	private static ExtIndexEntry indexEntry(Build build, List<Map<String, Object>> files) {
		return new ExtIndexEntry(ExtensionName.of(build.name()), ExtensionVersion.of(build.version()),
				build.defaultVersion(), build.control(),
				files.stream()
					.map((file) -> new ExtFile((String) file.get("path"), new Sha256Digest((String) file.get("sha256")),
							(Long) file.get("size")))
					.toList(),
				build.libraries(), build.requires(), PreloadNeed.parse(build.preload()), build.trusted(),
				build.superuser());
	}

	private static boolean startsWithAny(String path, Set<String> prefixes) {
		for (String prefix : prefixes) {
			if (path.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

	private static Map<String, Object> version(Build first, List<Build> builds,
			Map<Long, List<Map<String, Object>>> files) {
		Map<String, Object> version = new LinkedHashMap<>();
		version.put("name", first.name());
		version.put("version", first.version());
		version.put("distribution", first.distribution());
		version.put("published_at", first.publishedAt());
		version.put("license", first.license());
		version.put("abstract", first.summary());
		version.put("yanked", first.yanked());
		if (first.yanked()) {
			version.put("yank_reason", first.yankReason());
		}
		List<Map<String, Object>> perMajor = new ArrayList<>();
		for (Build build : builds) {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("pg_major", build.pgMajor());
			entry.put("default_version", build.defaultVersion());
			entry.put("control", build.control());
			entry.put("libraries", build.libraries());
			entry.put("requires", build.requires());
			entry.put("preload", build.preload());
			entry.put("trusted", build.trusted());
			entry.put("superuser", build.superuser());
			entry.put("files", files.getOrDefault(build.id(), List.of()));
			perMajor.add(entry);
		}
		version.put("builds", perMajor);
		return version;
	}

	static String extensionPath(String name) {
		return "extensions/" + name + ".json";
	}

	static String versionPath(String name, String version) {
		return "extensions/" + name + "/" + version + ".json";
	}

	static String extIndexPath(int major) {
		return "pg/" + major + "/ext_index.json";
	}

	static byte[] json(Object value) {
		return JSON.writeValueAsBytes(value);
	}

	private static List<String> strings(Array array) throws SQLException {
		return (array != null) ? List.of((String[]) array.getArray()) : List.of();
	}

}
