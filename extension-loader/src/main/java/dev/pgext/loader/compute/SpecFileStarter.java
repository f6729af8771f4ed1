package dev.pgext.loader.compute;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.loader.LoaderProperties;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Starts the compute from {@code pgext.loader.spec-file} when one is configured, so a loader
 * can run with its spec baked into the pod instead of waiting for the control plane.
 */
@Component
class SpecFileStarter implements ApplicationRunner {

	private final LoaderProperties properties;

	private final Compute compute;

	private final JsonMapper json;

	private final Validator validator;

	SpecFileStarter(LoaderProperties properties, Compute compute, JsonMapper json, Validator validator) {
		this.properties = properties;
		this.compute = compute;
		this.json = json;
		this.validator = validator;
	}

	@Override
	public void run(ApplicationArguments args) throws Exception {
		Path file = this.properties.specFile();
		if (file == null) {
			return;
		}
		ComputeSpec spec = this.json.readValue(Files.readAllBytes(file), ComputeSpec.class);
		Set<ConstraintViolation<ComputeSpec>> violations = this.validator.validate(spec);
		if (!violations.isEmpty()) {
			throw new IllegalArgumentException("compute spec " + file + " is invalid: " + violations.stream()
				.map((v) -> v.getPropertyPath() + " " + v.getMessage())
				.sorted()
				.toList());
		}
		this.compute.start(spec);
	}

}
