package dev.pgext.registry.bundles;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.json.DocumentJson;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.events.EventTypes;
import dev.pgext.registry.events.Events;
import dev.pgext.registry.problem.RegistryException;
import dev.pgext.registry.signing.MetadataSigning;
import dev.pgext.service.openapi.ProblemResponses;

/**
 * {@code /api/v1/bundle-pins/{env}}: which registered bundle an environment's storage
 * nodes run. A pin is proposed, and takes effect only when a different user with the
 * {@code bundle-approver} scope approves it (seed 001: a second person reviews every
 * change of the pinned bundle). Every proposal stays in the history. {@code GET
 * /api/v1/bundle-pins/{env}} answers the pin file that {@code bundle-builder fetch --pin}
 * reads.
 */
@Tag(name = "bundles")
@RestController
class BundlePinController {

	private final BundlePinRepository pins;

	private final AuditLog audit;

	private final Events events;

	BundlePinController(BundlePinRepository pins, AuditLog audit, Events events, MetadataSigning signing) {
		this.pins = pins;
		this.signing = signing;
		this.audit = audit;
		this.events = events;
	}

	/**
	 * A proposed pin.
	 *
	 * @param sha256 digest of a registered bundle
	 * @param pgVersions the majors the environment relies on; all of the bundle's when
	 * omitted
	 * @param reason why, for the reviewer
	 */
	record PinProposal(@NotBlank String sha256, @JsonProperty("pg_versions") List<String> pgVersions,
			@Size(max = 2000) String reason) {
	}

	/**
	 * The pin file: exactly what {@code bundle-builder fetch --pin} parses.
	 *
	 * @param sha256 the bundle's digest
	 * @param pgVersions the majors, such as {@code ["15", "17"]}
	 */
	record PinFile(String sha256, @JsonProperty("pg_versions") List<String> pgVersions) {
	}

	/** The document name of a pin's signature is this followed by the environment. */
	static final String PIN_DOCUMENT_PREFIX = "bundle-pins/";

	private static final JsonMapper PIN_JSON = DocumentJson.COMPACT;

	private final MetadataSigning signing;

	/**
	 * One entry of an environment's pin history.
	 *
	 * @param id the proposal's id
	 * @param environment the environment
	 * @param sha256 the bundle
	 * @param pgVersions the majors
	 * @param state {@code proposed}, {@code effective} or {@code superseded}
	 * @param reason why it was proposed
	 * @param proposedBy who proposed it
	 * @param proposedAt when
	 * @param approvedBy who approved it
	 * @param approvedAt when
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record Pin(long id, String environment, String sha256, @JsonProperty("pg_versions") List<String> pgVersions,
			String state, String reason, @JsonProperty("proposed_by") String proposedBy,
			@JsonProperty("proposed_at") Instant proposedAt, @JsonProperty("approved_by") String approvedBy,
			@JsonProperty("approved_at") Instant approvedAt) {
	}

	@Operation(summary = "Propose pinning a registered bundle for an environment (scope publish or bundle-approver)")
	@ResponseStatus(HttpStatus.CREATED)
	@ProblemResponses({ HttpStatus.FORBIDDEN, HttpStatus.UNPROCESSABLE_CONTENT })
	@PostMapping("/api/v1/bundle-pins/{environment}/proposals")
	@Transactional
	ResponseEntity<Pin> propose(@Parameter(hidden = true) Caller caller, @PathVariable String environment,
			@Valid @RequestBody PinProposal request) {
		caller.requireScope(Caller.PUBLISH, Caller.BUNDLE_APPROVER, Caller.ADMIN)
			.requireNoTenant("propose bundle pins");
		checkEnvironment(environment);
		String hex = Sha256Digest.parse(request.sha256()).hex();
		Map<String, String> bundleVersions = this.pins.bundleVersions(hex)
			.orElseThrow(() -> RegistryException.unprocessable("bundle-not-registered",
					"no registered bundle " + hex + "; register it (POST /api/v1/bundles) before pinning it"));
		TreeSet<String> majors = new TreeSet<>();
		List<String> requested = (request.pgVersions() != null && !request.pgVersions().isEmpty())
				? request.pgVersions() : new ArrayList<>(bundleVersions.keySet());
		for (String version : requested) {
			String major = PgMajor.parse(version).toString();
			if (!bundleVersions.containsKey(major)) {
				throw RegistryException.unprocessable("pin-major-missing", "bundle " + hex + " holds PostgreSQL "
						+ String.join(", ", bundleVersions.keySet()) + ", not " + major);
			}
			majors.add(major);
		}
		long id = this.pins.propose(environment, hex, majors, request.reason(), caller.userId());
		Map<String, Object> detail = new LinkedHashMap<>();
		detail.put("proposal", id);
		detail.put("environment", environment);
		detail.put("sha256", hex);
		detail.put("pg_versions", List.copyOf(majors));
		detail.put("proposed_by", caller.name());
		this.audit.record(caller.name(), "bundle_pin.propose", environment, detail);
		this.events.record(EventTypes.BUNDLE_PIN_PROPOSED, environment, null, caller.name(), detail);
		return ResponseEntity.created(URI.create("/api/v1/bundle-pins/" + environment + "/proposals/" + id))
			.body(find(environment, id));
	}

	@Operation(summary = "Approve a proposed pin (scope bundle-approver, never the proposer); it takes effect")
	@ProblemResponses({ HttpStatus.FORBIDDEN, HttpStatus.CONFLICT })
	@PostMapping("/api/v1/bundle-pins/{environment}/proposals/{id}/approve")
	@Transactional
	Pin approve(@Parameter(hidden = true) Caller caller, @PathVariable String environment, @PathVariable long id) {
		caller.requireScope(Caller.BUNDLE_APPROVER).requireNoTenant("approve bundle pins");
		// lock the proposal first, so two approvers racing for it see each other's
		// outcome
		Long proposer = this.pins.lockProposal(environment, id)
			.orElseThrow(() -> RegistryException.notFound("no pin proposal " + id + " for " + environment));
		Pin proposal = find(environment, id);
		if (proposer.equals(caller.userId())) {
			throw RegistryException.forbidden(
					"a pin needs a second person's review: " + caller.name() + " proposed it and cannot approve it");
		}
		if (!proposal.state().equals("proposed")) {
			throw RegistryException.conflict("pin-not-proposed",
					"proposal " + id + " is " + proposal.state() + ", not awaiting approval");
		}
		// one effective pin per environment
		try {
			this.pins.makeEffective(environment, id, caller.userId());
		}
		catch (DataIntegrityViolationException ex) {
			throw RegistryException.forbidden("a pin cannot be approved by the user who proposed it");
		}
		Map<String, Object> detail = new LinkedHashMap<>();
		detail.put("proposal", id);
		detail.put("environment", environment);
		detail.put("sha256", proposal.sha256());
		detail.put("pg_versions", proposal.pgVersions());
		detail.put("proposed_by", proposal.proposedBy());
		detail.put("approved_by", caller.name());
		this.audit.record(caller.name(), "bundle_pin.approve", environment, detail);
		this.events.record(EventTypes.BUNDLE_PIN_APPROVED, environment, null, caller.name(), detail);
		return find(environment, id);
	}

	@Operation(summary = "The pin file of an environment, as bundle-builder fetch --pin reads it; "
			+ "its signature in the Pgext-Signature header (base64) and at .../signature")
	@ApiResponse(responseCode = "200", description = "The pin file",
			content = @Content(mediaType = "application/json", schema = @Schema(implementation = PinFile.class)))
	@GetMapping("/api/v1/bundle-pins/{environment}")
	@Transactional(readOnly = true)
	ResponseEntity<byte[]> pinFile(@PathVariable String environment) {
		byte[] body = pinBytes(environment);
		ResponseEntity.BodyBuilder response = ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON);
		signPin(environment, body).ifPresent((signature) -> response.header(MetadataSignature.HEADER,
				Base64.getEncoder().encodeToString(signature.toJson())));
		return response.body(body);
	}

	@Operation(summary = "The detached signature of an environment's pin file, saved beside it as <pin file>.sig")
	@ApiResponse(responseCode = "200", description = "The signature document (docs/signing.md)",
			content = @Content(mediaType = "application/json", schema = @Schema(type = "object")))
	@ProblemResponses(HttpStatus.NOT_FOUND)
	@GetMapping("/api/v1/bundle-pins/{environment}/signature")
	@Transactional(readOnly = true)
	ResponseEntity<byte[]> pinSignature(@PathVariable String environment) {
		byte[] body = pinBytes(environment);
		MetadataSignature signature = signPin(environment, body)
			.orElseThrow(() -> RegistryException.notFound("this registry runs unsigned: pins have no signature"));
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(signature.toJson());
	}

	/**
	 * The pin file's bytes: compact JSON, the same bytes for the same pin on every call.
	 */
	private byte[] pinBytes(String environment) {
		checkEnvironment(environment);
		PinFile pin = this.pins.effective(environment)
			.orElseThrow(() -> RegistryException.notFound("no approved pin for environment " + environment));
		return PIN_JSON.writeValueAsBytes(pin);
	}

	/**
	 * Signs the pin as document {@code bundle-pins/<environment>}; its version is the
	 * catalog's change sequence (the event outbox, which every approval writes to).
	 */
	private Optional<MetadataSignature> signPin(String environment, byte[] body) {
		return this.signing.sign(PIN_DOCUMENT_PREFIX + environment, body, this.pins.changeSequence());
	}

	@Operation(summary = "Every pin proposal of an environment, newest first, with who proposed and approved it")
	@GetMapping("/api/v1/bundle-pins/{environment}/history")
	List<Pin> history(@PathVariable String environment) {
		checkEnvironment(environment);
		return this.pins.history(environment);
	}

	private Pin find(String environment, long id) {
		return this.pins.find(environment, id)
			.orElseThrow(() -> RegistryException.notFound("no pin proposal " + id + " for " + environment));
	}

	private static void checkEnvironment(String environment) {
		if (!environment.matches("[a-z][a-z0-9-]{0,62}")) {
			throw RegistryException.badRequest("invalid-environment",
					"an environment name is 1-63 lower-case letters, digits and '-', starting with a letter");
		}
	}

}
