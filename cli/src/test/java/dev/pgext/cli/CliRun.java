package dev.pgext.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.pgext.cli.registry.Environment;

/**
 * One run of {@code pgext} in this JVM, with its own environment and standard input.
 *
 * @param exitCode what the process would exit with
 * @param out what it printed on standard output
 * @param err what it printed on standard error
 */
record CliRun(int exitCode, String out, String err) {

	static CliRun withInput(Map<String, String> environment, String stdin, String... args) {
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		Environment env = new Environment(environment,
				new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
		int exit = PgextCli.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
		return new CliRun(exit, out.toString(), err.toString());
	}

	static CliRun of(Map<String, String> environment, String... args) {
		return withInput(environment, "", args);
	}

	@Override
	public String toString() {
		return "exit " + this.exitCode + "\n--- out\n" + this.out + "--- err\n" + this.err;
	}

}
