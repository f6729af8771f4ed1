package dev.pgext.loader.compute;

import java.util.List;
import java.util.Set;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Component;

/**
 * Reads a compute spec in either shape: the loader's own, or a Neon compute spec (bare,
 * or wrapped in {@code {"spec": ...}} as compute_ctl's configuration file and
 * {@code /configure} body are), recognised by its {@code spec}, {@code cluster} or
 * {@code remote_extensions} field. Beside a Neon spec, the loader's {@code tenant},
 * {@code pg_major}, {@code install_dir}, {@code data_dir}, {@code port}, preload lists
 * and {@code settings} give what compute_ctl takes on its command line; they win over the
 * Neon spec's.
 */
@Component
public class SpecReader {

	/** The loader's own fields that may stand beside a Neon spec. */
	private static final List<String> LOCAL_FIELDS = List.of("tenant", "pg_major", "install_dir", "data_dir", "port",
			"shared_preload_libraries", "session_preload_libraries", "settings");

	private final JsonMapper json;

	private final Validator validator;

	public SpecReader(JsonMapper json, Validator validator) {
		this.json = json;
		this.validator = validator;
	}

	/**
	 * The spec {@code body} describes, validated.
	 * @throws IllegalArgumentException when it is neither shape, mixes them or is
	 * invalid, with the reason
	 */
	public ComputeSpec read(JsonNode body) {
		if (body == null || !body.isObject()) {
			throw new IllegalArgumentException("a compute spec is a JSON object");
		}
		ComputeSpec spec = isNeon(body) ? fromNeon(body) : this.json.treeToValue(body, ComputeSpec.class);
		Set<ConstraintViolation<ComputeSpec>> violations = this.validator.validate(spec);
		if (!violations.isEmpty()) {
			throw new IllegalArgumentException("the compute spec is invalid: "
					+ violations.stream().map((v) -> v.getPropertyPath() + " " + v.getMessage()).sorted().toList());
		}
		return spec;
	}

	static boolean isNeon(JsonNode body) {
		return body.path("spec").isObject() || body.has("cluster") || body.has("remote_extensions");
	}

	private ComputeSpec fromNeon(JsonNode body) {
		if (body.has("available_extensions")) {
			throw new IllegalArgumentException("a Neon compute spec names its extensions in remote_extensions; "
					+ "available_extensions belongs to the loader's own spec: give one or the other");
		}
		JsonNode neon = body.path("spec").isObject() ? body.path("spec") : body;
		if (!neon.path("remote_extensions").isMissingNode() && !neon.path("remote_extensions").isNull()
				&& !neon.path("remote_extensions").isObject()) {
			throw new IllegalArgumentException("remote_extensions must be an object");
		}
		ObjectNode local = this.json.createObjectNode();
		for (String field : LOCAL_FIELDS) {
			if (body.has(field)) {
				local.set(field, body.get(field));
			}
		}
		return this.json.treeToValue(neon, NeonComputeSpec.class)
			.toComputeSpec(this.json.treeToValue(local, ComputeSpec.class));
	}

}
