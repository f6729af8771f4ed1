package dev.pgext.registry.web;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.catalog.CatalogBrowser;
import dev.pgext.registry.distribution.Distribution;
import dev.pgext.registry.distribution.Distributions;
import dev.pgext.registry.problem.RegistryException;
import dev.pgext.registry.search.CatalogSearch;

/**
 * The public pages: home, search, extension, distribution, user and tag pages. A tenant's
 * private extensions and distributions appear only to a signed-in user of that tenant; to
 * anyone else they answer like a name nobody published.
 */
@Controller
class CatalogPages {

	static final int PAGE_SIZE = 20;

	/** Releases listed on an extension or distribution page; the API lists all. */
	static final int SHOWN_RELEASES = 100;

	/**
	 * The longest rendered README a page shows, in characters; pages stay under 100 KB.
	 */
	static final int MAX_README_HTML = 72 * 1024;

	private final CatalogBrowser catalog;

	private final CatalogSearch search;

	private final Distributions distributions;

	CatalogPages(CatalogBrowser catalog, CatalogSearch search, Distributions distributions) {
		this.catalog = catalog;
		this.search = search;
		this.distributions = distributions;
	}

	@GetMapping("/")
	String home(Caller caller, Model model) {
		model.addAttribute("counts", this.catalog.counts(caller));
		model.addAttribute("recent", this.catalog.recentReleases(caller, 10));
		return "home";
	}

	@GetMapping("/search")
	String search(Caller caller, @RequestParam(name = "q", defaultValue = "") String query,
			@RequestParam(defaultValue = "0") int page, Model model) {
		if (query.isBlank()) {
			return "redirect:/";
		}
		if (query.length() > 200 || !CatalogSearch.isText(query)) {
			throw RegistryException.badRequest("invalid-query",
					"the search text must be 1 to 200 characters, without control characters");
		}
		int current = Math.max(0, Math.min(page, 500));
		CatalogSearch.Results results = this.search.search(caller, query, current, PAGE_SIZE);
		model.addAttribute("query", query);
		model.addAttribute("results", results);
		model.addAttribute("page", current);
		model.addAttribute("hasNext", (long) (current + 1) * PAGE_SIZE < results.total());
		return "search";
	}

	@GetMapping("/extensions/{name}")
	String extension(Caller caller, @PathVariable String name, @RequestParam(name = "pg", required = false) Integer pg,
			@RequestParam(name = "platform", required = false) String platform, Model model) {
		if (platform != null && (platform.length() > 64 || !CatalogSearch.isText(platform))) {
			throw RegistryException.badRequest("invalid-platform", "a platform is 1 to 64 characters of text");
		}
		CatalogBrowser.Listed extension = this.catalog.extension(caller, name)
			.orElseThrow(() -> RegistryException.notFound("no extension " + name));
		List<CatalogBrowser.ReleaseLine> releases = this.catalog.extensionReleases(extension);
		Distribution distribution = this.distributions.find(Scopes.column(Scope.parse(extension.tenant())),
				extension.distribution());
		String readme = this.catalog.readme(extension);
		boolean fromReadme = readme != null && !readme.isBlank();
		String description = Markdown.toHtml(fromReadme ? readme : this.catalog.description(extension));
		// escaping can make a README of the largest size several times longer as HTML
		boolean tooLong = description.length() > MAX_README_HTML;
		model.addAttribute("extension", extension);
		model.addAttribute("fromReadme", fromReadme);
		model.addAttribute("tooLong", tooLong);
		model.addAttribute("description", tooLong ? "" : description);
		model.addAttribute("releases", releases.subList(0, Math.min(releases.size(), SHOWN_RELEASES)));
		model.addAttribute("moreReleases", releases.size() > SHOWN_RELEASES);
		// one build's files at a time keeps the page small for extensions with many
		// upgrade
		// scripts and builds
		List<CatalogBrowser.Build> builds = this.catalog.builds(extension, extension.version());
		CatalogBrowser.Build shown = shownBuild(builds, pg, platform).orElseThrow(() -> RegistryException
			.notFound("extension " + name + " " + extension.version() + " has no build for PostgreSQL "
					+ ((pg != null) ? pg : "any major") + ((platform != null) ? " on " + platform : "")));
		model.addAttribute("build", shown);
		model.addAttribute("builds", builds);
		model.addAttribute("distribution", distribution);
		model.addAttribute("maintainers", maintainers(distribution));
		model.addAttribute("installCommand", "pgext install " + extension.name() + "@" + extension.version()
				+ " --pg-config /usr/lib/postgresql/" + shown.pgMajor() + "/bin/pg_config");
		model.addAttribute("loaderSpec",
				((extension.tenant() != null) ? "\"tenant\": \"" + extension.tenant() + "\", " : "")
						+ "\"available_extensions\": [\"" + extension.name() + "\"]");
		return "extension";
	}

	/**
	 * The build a page shows: the one asked for, else the newest major's, on the default
	 * platform when there is a build for it.
	 */
	static Optional<CatalogBrowser.Build> shownBuild(List<CatalogBrowser.Build> builds, Integer pg, String platform) {
		List<CatalogBrowser.Build> matching = builds.stream()
			.filter((b) -> pg == null || b.pgMajor() == pg)
			.filter((b) -> platform == null || b.platform().equals(platform))
			.toList();
		if (matching.isEmpty()) {
			return Optional.empty();
		}
		int major = (pg != null) ? pg : matching.stream().mapToInt(CatalogBrowser.Build::pgMajor).max().getAsInt();
		List<CatalogBrowser.Build> ofMajor = matching.stream().filter((b) -> b.pgMajor() == major).toList();
		return ofMajor.stream()
			.filter((b) -> b.platform().equals(Platform.DEFAULT.toString()))
			.findFirst()
			.or(() -> ofMajor.stream().findFirst());
	}

	@GetMapping("/distributions/{name}")
	String distribution(Caller caller, @PathVariable String name, Model model) {
		List<CatalogBrowser.ReleaseLine> releases = this.catalog.distributionReleases(caller, name);
		if (releases.isEmpty()) {
			throw RegistryException.notFound("no distribution " + name);
		}
		String tenant = releases.get(0).tenant();
		Distribution distribution = this.distributions.find(Scopes.column(Scope.parse(tenant)), name);
		model.addAttribute("name", name);
		model.addAttribute("tenant", tenant);
		model.addAttribute("releases", releases.subList(0, Math.min(releases.size(), SHOWN_RELEASES)));
		model.addAttribute("moreReleases", releases.size() > SHOWN_RELEASES);
		model.addAttribute("distribution", distribution);
		model.addAttribute("maintainers", maintainers(distribution));
		return "distribution";
	}

	@GetMapping("/users/{name}")
	String user(Caller caller, @PathVariable String name, Model model) {
		String callerScope = CatalogBrowser.tenantScope(caller);
		String userScope = this.distributions.userScope(name);
		List<Distributions.Maintained> maintained = this.distributions.maintainedBy(name, callerScope);
		// another tenant's user is known here only by what the caller may see of it
		if (!userScope.isEmpty() && !userScope.equals(callerScope) && maintained.isEmpty()) {
			throw RegistryException.notFound("no user " + name);
		}
		model.addAttribute("name", name);
		model.addAttribute("maintained", maintained);
		return "user";
	}

	@GetMapping("/tags/{tag}")
	String tag(Caller caller, @PathVariable String tag, @RequestParam(defaultValue = "0") int page, Model model) {
		if (tag.length() > 100 || !CatalogSearch.isText(tag)) {
			throw RegistryException.badRequest("invalid-tag", "a tag is 1 to 100 characters of text");
		}
		int current = Math.max(0, Math.min(page, 500));
		CatalogBrowser.Listing listing = this.catalog.list(caller, tag.toLowerCase(Locale.ROOT), current, PAGE_SIZE);
		model.addAttribute("tag", tag);
		model.addAttribute("listing", listing);
		model.addAttribute("page", current);
		model.addAttribute("hasNext", (long) (current + 1) * PAGE_SIZE < listing.total());
		return "tag";
	}

	/** User name to role, owners first. */
	private Map<String, String> maintainers(Distribution distribution) {
		Map<Long, String> names = this.distributions
			.userNames(distribution.maintainers().stream().map(Distribution.Maintainer::userId).toList());
		Map<String, String> roles = new TreeMap<>();
		distribution.maintainers()
			.stream()
			.sorted(Comparator.comparing(Distribution.Maintainer::role).reversed())
			.forEach((m) -> roles.put(names.getOrDefault(m.userId(), "?"), m.role()));
		return roles;
	}

}
