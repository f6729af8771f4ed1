package dev.pgext.cli.install;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import dev.pgext.cli.exit.CliException;
import dev.pgext.cli.exit.ExitCode;
import dev.pgext.cli.registry.RegistryOptions;
import dev.pgext.model.InvalidValueException;
import dev.pgext.model.PgMajor;

/**
 * {@code pgext install NAME[@VERSION]}: places an extension and what it requires into a
 * Postgres installation, verified; a second install of the same thing changes nothing,
 * and {@code --dry-run} only lists what would change.
 */
@Command(name = "install", description = "Install an extension (and what it requires) into a Postgres installation.")
public final class InstallCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Mixin
	RegistryOptions registry;

	@Parameters(index = "0", paramLabel = "NAME[@VERSION]",
			description = "The extension; without a version, its current release for this major.")
	String what;

	@ArgGroup(exclusive = true, multiplicity = "1")
	Where where;

	static final class Where {

		@Option(names = "--pg-config", paramLabel = "PATH", required = true,
				description = "The installation's pg_config (gives the major, sharedir and pkglibdir).")
		Path pgConfig;

		@Option(names = "--pgdir", paramLabel = "DIR", required = true,
				description = "An installation directory without pg_config (share/, lib/, bin/postgres).")
		Path pgdir;

		@ArgGroup(exclusive = false)
		Explicit explicit;

	}

	static final class Explicit {

		@Option(names = "--sharedir", paramLabel = "DIR", required = true,
				description = "The installation's sharedir (files go to its extension/).")
		Path sharedir;

		@Option(names = "--pkglibdir", paramLabel = "DIR", required = true,
				description = "The installation's pkglibdir ($libdir).")
		Path pkglibdir;

	}

	@Option(names = "--pg-major", paramLabel = "N",
			description = "The Postgres major (needed with --sharedir/--pkglibdir; with --pgdir instead of asking bin/postgres).")
	Integer pgMajor;

	@Option(names = "--dry-run", description = "List what would change; write nothing.")
	boolean dryRun;

	@Override
	public Integer call() {
		int at = this.what.indexOf('@');
		String name = (at < 0) ? this.what : this.what.substring(0, at);
		String version = (at < 0) ? null : this.what.substring(at + 1);
		if (name.isBlank() || (version != null && version.isBlank())) {
			throw CliException.local("expected NAME or NAME@VERSION, got '" + this.what + "'");
		}
		InstallTarget target = target();
		PrintWriter out = this.spec.commandLine().getOut();
		Installer installer = new Installer(this.registry.client(), target, this.registry.tenant());
		Installer.Plan plan = installer.plan(name, version);
		String release = plan.extensions().get(plan.extensions().size() - 1).version().value();
		out.println((this.dryRun ? "would install " : "installing ") + name + " " + release + " into " + target);
		plan.alreadyThere().forEach((required) -> out.println("  requires " + required + ": already installed, kept"));
		if (this.dryRun || plan.changesNothing()) {
			for (Installer.Step step : plan.steps()) {
				out.printf("  %-8s %s -> %s%n", step.change().label, step.file().path(), step.path());
			}
		}
		if (plan.changesNothing()) {
			out.println(name + " " + release + " is already installed: nothing to do");
			return ExitCode.OK;
		}
		if (this.dryRun) {
			out.println("dry run: " + plan.changed() + " file(s) would change; nothing was written");
			return ExitCode.OK;
		}
		installer.apply(plan, out);
		out.println("installed " + name + " " + release + ": " + plan.changed() + " file(s) placed, "
				+ (plan.steps().size() - plan.changed()) + " already there");
		return ExitCode.OK;
	}

	private InstallTarget target() {
		try {
			if (this.where.pgConfig != null) {
				return InstallTarget.ofPgConfig(this.where.pgConfig.toAbsolutePath());
			}
			if (this.where.pgdir != null) {
				return InstallTarget.ofDirectory(this.where.pgdir, this.pgMajor);
			}
			if (this.pgMajor == null) {
				throw CliException.local("--sharedir and --pkglibdir need --pg-major");
			}
			return new InstallTarget(PgMajor.of(this.pgMajor), this.where.explicit.sharedir,
					this.where.explicit.pkglibdir);
		}
		catch (InvalidValueException ex) {
			throw CliException.local(ex.getMessage());
		}
	}

}
