package dev.pgext.cli.find;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

import dev.pgext.cli.exit.CliException;
import dev.pgext.cli.exit.ExitCode;
import dev.pgext.cli.exit.Printable;
import dev.pgext.cli.registry.RegistryClient;
import dev.pgext.cli.registry.RegistryOptions;

/** The registry's full-text search, one line per hit, best first. */
@Command(name = "search", description = "Search extensions by name, abstract and tags.")
public final class SearchCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Mixin
	RegistryOptions registry;

	@Parameters(arity = "1..*", paramLabel = "WORDS")
	List<String> words;

	@Option(names = "--pg", paramLabel = "MAJOR", description = "Only extensions built for this Postgres major.")
	Integer pg;

	@Option(names = "--tag", paramLabel = "TAG", description = "Only extensions with this tag.")
	String tag;

	@Option(names = "--limit", paramLabel = "N", defaultValue = "20",
			description = "At most N hits (1-100, default 20).")
	int limit;

	@Override
	public Integer call() {
		StringBuilder path = new StringBuilder("/api/v1/search?q=")
			.append(RegistryClient.encode(String.join(" ", this.words)))
			.append("&size=")
			.append(this.limit);
		if (this.pg != null) {
			path.append("&pg=").append(this.pg);
		}
		if (this.tag != null) {
			path.append("&tag=").append(RegistryClient.encode(this.tag));
		}
		path.append(this.registry.tenantParameter('&'));
		RegistryClient client = this.registry.client();
		JsonNode results = client.get(path.toString());
		if (!results.path("hits").isArray()) {
			throw new CliException(ExitCode.REFUSED, "the registry at " + client.baseUrl()
					+ " answered the search without a list of hits: is it a pgext registry?");
		}
		PrintWriter out = this.spec.commandLine().getOut();
		if (results.path("hits").isEmpty()) {
			out.println("no extension matches '" + String.join(" ", this.words) + "'");
			return ExitCode.OK;
		}
		for (JsonNode hit : results.path("hits")) {
			out.printf("%-24s %-12s pg %-12s %s%n", Printable.of(hit.path("name").asString()),
					Printable.of(hit.path("version").asString()), majors(hit),
					Printable.of(hit.path("abstract").asString("")));
		}
		String total = totals(results);
		if (total != null) {
			out.println("(" + total + "; showing " + results.path("hits").size() + ")");
		}
		return ExitCode.OK;
	}

	/**
	 * How many hits there are in all, when more than this page shows: the registry counts
	 * up to a bound and says so with {@code total_exact} false.
	 */
	static String totals(JsonNode results) {
		long total = results.path("total").asLong();
		if (!results.path("total_exact").asBoolean(true)) {
			return "more than " + total + " in all";
		}
		return (total > results.path("hits").size()) ? total + " in all" : null;
	}

	static String majors(JsonNode node) {
		List<String> majors = new ArrayList<>();
		node.path("pg_majors").forEach((major) -> majors.add(Printable.of(major.asString())));
		return String.join(",", majors);
	}

}
