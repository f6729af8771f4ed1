package dev.pgext.registry.bundles;

import java.time.Instant;
import java.util.List;

import org.springframework.stereotype.Component;

import dev.pgext.registry.caller.Caller;

/**
 * The bundle pin proposals waiting for approval, for the administrator's web page.
 * Approving stays in the API ({@code POST
 * /api/v1/bundle-pins/{environment}/proposals/{id}/approve}), where the four-eyes rule is
 * enforced.
 */
@Component
public class PinApprovals {

	private final BundlePinRepository repository;

	PinApprovals(BundlePinRepository repository) {
		this.repository = repository;
	}

	/**
	 * One proposal.
	 *
	 * @param id its id
	 * @param environment the environment it pins
	 * @param sha256 the bundle's digest
	 * @param pgVersions the Postgres versions it pins
	 * @param reason the proposer's reason
	 * @param proposedBy who proposed it
	 * @param proposedAt when
	 */
	public record Pending(long id, String environment, String sha256, List<String> pgVersions, String reason,
			String proposedBy, Instant proposedAt) {
	}

	/**
	 * Every proposal waiting for approval; only administrators and bundle approvers may
	 * ask.
	 */
	public List<Pending> pending(Caller caller) {
		caller.requireScope(Caller.ADMIN, Caller.BUNDLE_APPROVER);
		return this.repository.proposed()
			.stream()
			.map((p) -> new Pending(p.id(), p.environment(), p.sha256(), p.pgVersions(), p.reason(), p.proposedBy(),
					p.proposedAt()))
			.toList();
	}

}
