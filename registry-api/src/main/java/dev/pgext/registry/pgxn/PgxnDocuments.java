package dev.pgext.registry.pgxn;

import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Component;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.json.DocumentJson;
import dev.pgext.registry.pgxn.PgxnRepository.ReleaseRow;

/**
 * The PGXN documents, in the shapes PGXN's API and mirrors serve and PGXN clients read,
 * built from the public catalog. Paths are relative to the API root and follow
 * {@link #TEMPLATES}; the same bytes are served by the registry and written to the static
 * mirror.
 */
@Component
public class PgxnDocuments {

	/** The URI templates of a PGXN mirror, as its {@code index.json} lists them. */
	public static final Map<String, String> TEMPLATES = templates();

	/** Release statuses, best first, as PGXN orders them. */
	private static final List<String> STATUSES = List.of("stable", "testing", "unstable");

	private static final int RECENT = 56;

	/** What the {@code spec} template answers in {@code txt}. */
	static final String SPEC_TEXT = """
			This registry reads META.json as the PGXN Meta Spec defines it: version 1 (the default)
			and version 2 where meta-spec.version says 2. A release's META.json is served back as
			published at /dist/{dist}/{version}/META.published.json; /dist/{dist}/{version}/META.json
			adds what PGXN adds: sha1, user, date, release_status and provides.
			""";

	private static final JsonMapper JSON = DocumentJson.INDENTED;

	private final PgxnRepository repository;

	private final PgxnProperties properties;

	PgxnDocuments(PgxnRepository repository, PgxnProperties properties) {
		this.repository = repository;
		this.properties = properties;
	}

	private static Map<String, String> templates() {
		Map<String, String> templates = new LinkedHashMap<>();
		templates.put("dist", "/dist/{dist}.json");
		templates.put("meta", "/dist/{dist}/{version}/META.json");
		templates.put("download", "/dist/{dist}/{version}/{dist}-{version}.zip");
		templates.put("readme", "/dist/{dist}/{version}/README.txt");
		templates.put("extension", "/extension/{extension}.json");
		templates.put("user", "/user/{user}.json");
		templates.put("tag", "/tag/{tag}.json");
		templates.put("stats", "/stats/{stats}.json");
		templates.put("mirrors", "/meta/mirrors.json");
		templates.put("spec", "/meta/spec.{format}");
		templates.put("published_meta", "/dist/{dist}/{version}/META.published.json");
		return java.util.Collections.unmodifiableMap(templates);
	}

	/**
	 * The API root: the mirror templates and, when {@code withSearch}, the search
	 * template.
	 */
	public static Map<String, String> index(boolean withSearch) {
		Map<String, String> index = new LinkedHashMap<>(TEMPLATES);
		if (withSearch) {
			index.put("search", "/search/{in}/");
		}
		return index;
	}

	/** {@code dist}: the distribution's releases by status, newest first. */
	Optional<byte[]> distribution(String name) {
		List<ReleaseRow> releases = this.repository.releasesOf(name);
		return releases.isEmpty() ? Optional.empty() : Optional.of(json(distribution(name, releases)));
	}

	private static Map<String, Object> distribution(String name, List<ReleaseRow> releases) {
		Map<String, Object> document = new LinkedHashMap<>();
		document.put("name", name);
		document.put("releases", byStatus(releases));
		return document;
	}

	/**
	 * {@code meta}: META.json as sent, with what PGXN adds (sha1, user, date, status,
	 * provides).
	 */
	Optional<byte[]> meta(String name, String version) {
		return this.repository.release(name, version).map((release) -> json(meta(release)));
	}

	private ObjectNode meta(ReleaseRow release) {
		ObjectNode meta;
		try {
			meta = (ObjectNode) JSON.readTree(release.metadata());
		}
		catch (JacksonException | ClassCastException ex) {
			meta = JSON.createObjectNode();
		}
		meta.put("name", release.distribution());
		meta.put("version", release.version());
		if (!meta.path("abstract").isString() && release.summary() != null) {
			meta.put("abstract", release.summary());
		}
		if (!meta.has("maintainer") && !meta.has("maintainers")) {
			meta.put("maintainer", release.user());
		}
		if (!meta.has("license") && release.license() != null) {
			meta.put("license", release.license());
		}
		meta.put("release_status", release.status());
		meta.put("user", release.user());
		meta.put("date", date(release));
		if (release.sourceSha1() != null) {
			meta.put("sha1", release.sourceSha1());
		}
		if (!meta.path("provides").isObject()) {
			ObjectNode provides = meta.putObject("provides");
			for (PgxnRepository.ExtensionRow extension : this.repository.extensionsOf(release.distribution(),
					release.version())) {
				ObjectNode provided = provides.putObject(extension.name());
				provided.put("version", extension.version());
				if (extension.summary() != null) {
					provided.put("abstract", extension.summary());
				}
			}
		}
		return meta;
	}

	/** META.json exactly as the publisher sent it. */
	Optional<String> publishedMeta(String name, String version) {
		return this.repository.release(name, version).map(ReleaseRow::metadata);
	}

	/** The source distribution's blob, when the release carries one. */
	Optional<Sha256Digest> source(String name, String version) {
		return this.repository.release(name, version).map(ReleaseRow::sourceSha256).map(Sha256Digest::new);
	}

	/**
	 * {@code readme}: the README the release was published with, else its abstract and
	 * description as text.
	 */
	Optional<String> readme(String name, String version) {
		return this.repository.release(name, version).map(PgxnDocuments::readme);
	}

	private static String readme(ReleaseRow release) {
		if (release.readme() != null) {
			return release.readme();
		}
		String description;
		try {
			description = JSON.readTree(release.metadata()).path("description").asString("");
		}
		catch (JacksonException ex) {
			description = "";
		}
		return release.distribution() + " " + release.version() + "\n\n"
				+ ((release.summary() != null) ? release.summary() + "\n" : "")
				+ (description.isBlank() ? "" : "\n" + description.strip() + "\n");
	}

	/**
	 * {@code extension}: the releases providing it, by extension version, and the best
	 * one.
	 */
	Optional<byte[]> extension(String name) {
		List<PgxnRepository.Provider> providers = this.repository.providersOf(name);
		if (providers.isEmpty()) {
			return Optional.empty();
		}
		Map<String, Object> document = new LinkedHashMap<>();
		document.put("extension", name);
		Map<String, List<Map<String, Object>>> versions = new TreeMap<>();
		Map<String, PgxnRepository.Provider> newestByStatus = new LinkedHashMap<>();
		for (PgxnRepository.Provider provider : providers) {
			ReleaseRow release = provider.release();
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("dist", release.distribution());
			entry.put("version", release.version());
			entry.put("status", release.status());
			entry.put("date", date(release));
			versions
				.computeIfAbsent((provider.version() != null) ? provider.version() : release.version(),
						(k) -> new ArrayList<>())
				.add(entry);
			newestByStatus.merge(release.status(), provider,
					(a, b) -> a.release().publishedAt().isAfter(b.release().publishedAt()) ? a : b);
		}
		String latest = STATUSES.stream().filter(newestByStatus::containsKey).findFirst().orElse("stable");
		document.put("latest", latest);
		for (String status : STATUSES) {
			PgxnRepository.Provider provider = newestByStatus.get(status);
			if (provider != null) {
				Map<String, Object> best = new LinkedHashMap<>();
				best.put("dist", provider.release().distribution());
				best.put("version", provider.release().version());
				best.put("abstract", (provider.summary() != null) ? provider.summary() : provider.release().summary());
				if (provider.release().sourceSha1() != null) {
					best.put("sha1", provider.release().sourceSha1());
				}
				document.put(status, best);
			}
		}
		document.put("versions", versions);
		return Optional.of(json(document));
	}

	/** {@code user}: the user's distributions and their releases by status. */
	Optional<byte[]> user(String name) {
		List<ReleaseRow> releases = this.repository.releasesBy(name);
		if (releases.isEmpty()) {
			return Optional.empty();
		}
		Map<String, Object> document = new LinkedHashMap<>();
		document.put("nickname", name);
		document.put("name", name);
		document.put("releases", releasesByDistribution(releases));
		return Optional.of(json(document));
	}

	/** {@code tag}: the distributions carrying the tag and their releases by status. */
	Optional<byte[]> tag(String tag) {
		List<ReleaseRow> releases = this.repository.releasesTagged(tag);
		if (releases.isEmpty()) {
			return Optional.empty();
		}
		Map<String, Object> document = new LinkedHashMap<>();
		document.put("tag", tag);
		document.put("releases", releasesByDistribution(releases));
		return Optional.of(json(document));
	}

	/**
	 * The statistics PGXN serves: {@code summary}, {@code dist}, {@code extension},
	 * {@code user}, {@code tag}.
	 */
	Optional<byte[]> stats(String kind) {
		return Optional.ofNullable(stats(kind, this.repository.releaseSummaries(), this.repository.counts()))
			.map(PgxnDocuments::json);
	}

	/**
	 * One statistics document from every public release ({@code all}, in the order of
	 * {@link PgxnRepository#releases()}); its members in a fixed order, so equal
	 * statistics are equal bytes.
	 */
	private Object stats(String kind, List<ReleaseRow> all, PgxnRepository.Counts counts) {
		return switch (kind) {
			case "summary" -> {
				Map<String, Object> summary = new LinkedHashMap<>();
				summary.put("dists", all.stream().map(ReleaseRow::distribution).distinct().count());
				summary.put("releases", all.size());
				summary.put("extensions", counts.extensions());
				summary.put("users", counts.users());
				summary.put("tags", counts.tags());
				summary.put("mirrors", this.properties.mirrors().size());
				yield summary;
			}
			case "dist" ->
				members("count", all.stream().map(ReleaseRow::distribution).distinct().count(), "recent", recent(all));
			case "extension" -> members("count", counts.extensions(), "recent", recent(all));
			case "user" -> {
				Map<String, Long> perUser = all.stream()
					.collect(Collectors.groupingBy(ReleaseRow::user, TreeMap::new, Collectors.counting()));
				yield members("count", perUser.size(), "prolific",
						perUser.entrySet()
							.stream()
							.sorted(Map.Entry.<String, Long>comparingByValue().reversed())
							.limit(RECENT)
							.map((e) -> members("nickname", e.getKey(), "dists", e.getValue()))
							.toList());
			}
			case "tag" -> {
				Map<String, Long> perTag = all.stream()
					.flatMap((r) -> r.tags().stream().distinct().map((t) -> Map.entry(t, r.distribution())))
					.distinct()
					.collect(Collectors.groupingBy(Map.Entry::getKey, TreeMap::new, Collectors.counting()));
				yield members("count", perTag.size(), "popular",
						perTag.entrySet()
							.stream()
							.sorted(Map.Entry.<String, Long>comparingByValue().reversed())
							.limit(RECENT)
							.map((e) -> members("tag", e.getKey(), "dists", e.getValue()))
							.toList());
			}
			default -> null;
		};
	}

	private static List<Map<String, Object>> recent(List<ReleaseRow> all) {
		return all.stream()
			.sorted(Comparator.comparing(ReleaseRow::publishedAt).reversed())
			.limit(RECENT)
			.map(PgxnDocuments::recent)
			.toList();
	}

	private static Map<String, Object> members(String first, Object firstValue, String second, Object secondValue) {
		Map<String, Object> members = new LinkedHashMap<>();
		members.put(first, firstValue);
		members.put(second, secondValue);
		return members;
	}

	private static Map<String, Object> recent(ReleaseRow release) {
		Map<String, Object> entry = new LinkedHashMap<>();
		entry.put("dist", release.distribution());
		entry.put("version", release.version());
		entry.put("abstract", release.summary());
		entry.put("date", date(release));
		entry.put("user", release.user());
		return entry;
	}

	/** {@code mirrors}: the configured mirrors, in PGXN's mirror record shape. */
	byte[] mirrors() {
		return json(this.properties.mirrors().stream().map((uri) -> {
			Map<String, Object> mirror = new LinkedHashMap<>();
			mirror.put("uri", uri.toString());
			mirror.put("frequency", "on publish");
			mirror.put("location", "");
			mirror.put("organization", "");
			mirror.put("timezone", "UTC");
			mirror.put("src", uri.toString());
			mirror.put("rsync", "");
			mirror.put("bandwidth", "");
			mirror.put("email", "");
			mirror.put("notes", "a pgext static mirror");
			return mirror;
		}).toList());
	}

	/**
	 * Every document a static PGXN mirror holds except the distribution zips, by path
	 * relative to its root (without a leading slash); {@code index.json} is the caller's.
	 */
	public Map<String, byte[]> mirrorDocuments() {
		return mirrorDocuments(null).documents();
	}

	/**
	 * The documents of a static PGXN mirror that depend on {@code distributions}, or all
	 * of them for {@code null}.
	 *
	 * @param documents the documents that exist, by path relative to the mirror's root
	 * @param paths the paths they were computed for: one of these missing from
	 * {@code documents} no longer exists
	 * @param prefixes path prefixes they were computed for, in the same sense
	 */
	public record MirrorPart(Map<String, byte[]> documents, Set<String> paths, Set<String> prefixes) {

		/** Whether the part speaks for {@code path}, existing or not. */
		public boolean covers(String path) {
			if (this.paths.contains(path)) {
				return true;
			}
			// asked for every file of a large mirror: a loop, not a stream per call
			for (String prefix : this.prefixes) {
				if (path.startsWith(prefix)) {
					return true;
				}
			}
			return false;
		}

	}

	/**
	 * The documents that depend on {@code distributions} (their own, those of their
	 * extensions, publishing users and tags, and the statistics), or every document for
	 * {@code null}.
	 */
	public MirrorPart mirrorDocuments(Set<String> distributions) {
		// the documents of the distributions read their META.json and README; the
		// statistics read every release, but not those
		List<ReleaseRow> own = (distributions == null) ? this.repository.releases()
				: this.repository.releasesOf(distributions);
		List<ReleaseRow> all = (distributions == null) ? own : this.repository.releaseSummaries();
		PgxnRepository.Counts counts = this.repository.counts();
		Map<String, byte[]> out = new TreeMap<>();
		Set<String> paths = new TreeSet<>();
		Set<String> prefixes = new TreeSet<>();
		Map<String, List<ReleaseRow>> byDistribution = own.stream()
			.collect(Collectors.groupingBy(ReleaseRow::distribution, TreeMap::new, Collectors.toList()));
		byDistribution.forEach((name, releases) -> {
			out.put(path("dist", Map.of("dist", name)), json(distribution(name, releases)));
			for (ReleaseRow release : releases) {
				Map<String, String> args = Map.of("dist", name, "version", release.version());
				out.put(path("meta", args), json(meta(release)));
				out.put(path("published_meta", args),
						release.metadata().getBytes(java.nio.charset.StandardCharsets.UTF_8));
				out.put(path("readme", args), readme(release).getBytes(java.nio.charset.StandardCharsets.UTF_8));
			}
		});
		Iterable<String> extensions;
		Iterable<String> users;
		Iterable<String> tags;
		if (distributions == null) {
			extensions = this.repository.extensions();
			users = this.repository.users();
			tags = this.repository.tags();
		}
		else {
			PgxnRepository.Touched touched = this.repository.touchedBy(distributions);
			extensions = touched.extensions();
			users = touched.users();
			tags = touched.tags();
			for (String name : distributions) {
				paths.add(path("dist", Map.of("dist", name)));
				prefixes.add("dist/" + name + "/");
			}
		}
		for (String extension : extensions) {
			String path = path("extension", Map.of("extension", extension));
			paths.add(path);
			extension(extension).ifPresent((bytes) -> out.put(path, bytes));
		}
		for (String user : users) {
			String path = path("user", Map.of("user", user));
			paths.add(path);
			user(user).ifPresent((bytes) -> out.put(path, bytes));
		}
		for (String tag : tags) {
			String path = path("tag", Map.of("tag", tag));
			paths.add(path);
			tag(tag).ifPresent((bytes) -> out.put(path, bytes));
		}
		for (String kind : List.of("summary", "dist", "extension", "user", "tag")) {
			out.put(path("stats", Map.of("stats", kind)), json(stats(kind, all, counts)));
		}
		out.put(path("mirrors", Map.of()), mirrors());
		out.put(path("spec", Map.of("format", "txt")), SPEC_TEXT.getBytes(java.nio.charset.StandardCharsets.UTF_8));
		paths.addAll(out.keySet());
		return new MirrorPart(out, paths, prefixes);
	}

	/**
	 * A distribution zip of a static mirror.
	 *
	 * @param sha256 its blob
	 * @param size its size in bytes
	 */
	public record Archive(Sha256Digest sha256, long size) {
	}

	/** The distribution zips a static mirror holds, by path relative to its root. */
	public Map<String, Archive> mirrorArchives() {
		return mirrorArchives(null);
	}

	/**
	 * The distribution zips of {@code distributions}, or of every distribution for
	 * {@code null}.
	 */
	public Map<String, Archive> mirrorArchives(Set<String> distributions) {
		Map<String, Archive> out = new TreeMap<>();
		List<ReleaseRow> releases = (distributions == null) ? this.repository.releases()
				: distributions.stream().flatMap((name) -> this.repository.releasesOf(name).stream()).toList();
		for (ReleaseRow release : releases) {
			if (release.sourceSha256() != null) {
				out.put(path("download", Map.of("dist", release.distribution(), "version", release.version())),
						new Archive(new Sha256Digest(release.sourceSha256()), release.sourceSize()));
			}
		}
		return out;
	}

	private static String path(String template, Map<String, String> args) {
		String path = TEMPLATES.get(template);
		for (Map.Entry<String, String> arg : args.entrySet()) {
			path = path.replace("{" + arg.getKey() + "}", arg.getValue());
		}
		return path.substring(1);
	}

	private static Map<String, Map<String, Object>> releasesByDistribution(List<ReleaseRow> releases) {
		Map<String, Map<String, Object>> out = new TreeMap<>();
		releases.stream()
			.collect(Collectors.groupingBy(ReleaseRow::distribution, TreeMap::new, Collectors.toList()))
			.forEach((name, rows) -> {
				Map<String, Object> entry = new LinkedHashMap<>();
				entry.put("abstract", rows.get(rows.size() - 1).summary());
				entry.putAll(byStatus(rows));
				out.put(name, entry);
			});
		return out;
	}

	private static Map<String, List<Map<String, Object>>> byStatus(List<ReleaseRow> releases) {
		Map<String, List<Map<String, Object>>> byStatus = new LinkedHashMap<>();
		Function<ReleaseRow, Map<String, Object>> entry = (release) -> {
			Map<String, Object> e = new LinkedHashMap<>();
			e.put("version", release.version());
			e.put("date", date(release));
			return e;
		};
		for (String status : STATUSES) {
			List<Map<String, Object>> list = releases.stream()
				.filter((r) -> r.status().equals(status))
				.sorted(Comparator.comparing(ReleaseRow::publishedAt).reversed())
				.map(entry)
				.toList();
			if (!list.isEmpty()) {
				byStatus.put(status, list);
			}
		}
		return byStatus;
	}

	private static String date(ReleaseRow release) {
		return release.publishedAt().truncatedTo(ChronoUnit.SECONDS).toString();
	}

	/** {@code search}: hits in PGXN's shape for the client's query. */
	byte[] search(String in, String q, int limit, int offset) {
		List<PgxnRepository.Hit> hits = this.repository.search(q, limit, offset);
		List<Map<String, Object>> out = new ArrayList<>();
		for (PgxnRepository.Hit hit : hits) {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("score", hit.rank());
			entry.put("dist", hit.distribution());
			entry.put("version", hit.version());
			entry.put("abstract", hit.summary());
			if (in.equals("extensions")) {
				entry.put("extension", hit.extension());
			}
			String excerpt = (hit.description() != null && !hit.description().isBlank()) ? hit.description()
					: hit.summary();
			entry.put("excerpt", (excerpt != null) ? excerpt : "");
			out.add(entry);
		}
		Map<String, Object> document = new LinkedHashMap<>();
		document.put("query", q);
		document.put("limit", limit);
		document.put("offset", offset);
		document.put("count", hits.size());
		document.put("hits", out);
		return json(document);
	}

	static byte[] json(Object value) {
		return JSON.writeValueAsBytes(value);
	}

}
