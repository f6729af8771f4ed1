package dev.pgext.cli.publish;

import picocli.CommandLine.Parameters;

import dev.pgext.cli.pack.Metadata;
import dev.pgext.cli.registry.RegistryClient;
import dev.pgext.cli.registry.RegistryOptions;

/**
 * The release a command acts on, {@code DISTRIBUTION VERSION}, and the address of its
 * yank.
 */
final class ReleaseArguments {

	@Parameters(index = "0", paramLabel = "DISTRIBUTION")
	String distribution;

	@Parameters(index = "1", paramLabel = "VERSION")
	String version;

	/**
	 * {@code /api/v1/distributions/<d>/versions/<v>/yank}, with the tenant when one is
	 * given.
	 */
	String yankPath(RegistryOptions registry) {
		return "/api/v1/distributions/" + RegistryClient.encode(this.distribution) + "/versions/"
				+ RegistryClient.encode(version()) + "/yank" + registry.tenantParameter('?');
	}

	/**
	 * The version as the registry stores it: {@code 1.0} is {@code 1.0.0}, as publish and
	 * install read it.
	 */
	String version() {
		String normal = Metadata.normalizedVersion(this.version);
		return (normal != null) ? normal : this.version;
	}

	@Override
	public String toString() {
		return this.distribution + " " + version();
	}

}
