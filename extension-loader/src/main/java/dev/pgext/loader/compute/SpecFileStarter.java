package dev.pgext.loader.compute;

import java.nio.file.Files;
import java.nio.file.Path;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

import dev.pgext.loader.LoaderProperties;

/**
 * Starts the compute from {@code pgext.loader.spec-file} when one is configured, so a
 * loader can run with its spec baked into the pod instead of waiting for the control
 * plane.
 */
@Component
class SpecFileStarter implements ApplicationRunner {

	private final LoaderProperties properties;

	private final Compute compute;

	private final JsonMapper json;

	private final SpecReader specs;

	SpecFileStarter(LoaderProperties properties, Compute compute, JsonMapper json, SpecReader specs) {
		this.properties = properties;
		this.compute = compute;
		this.json = json;
		this.specs = specs;
	}

	@Override
	public void run(ApplicationArguments args) throws Exception {
		Path file = this.properties.specFile();
		if (file == null) {
			return;
		}
		ComputeSpec spec;
		try {
			spec = this.specs.read(this.json.readTree(Files.readAllBytes(file)));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("compute spec " + file + ": " + ex.getMessage(), ex);
		}
		this.compute.start(spec);
	}

}
