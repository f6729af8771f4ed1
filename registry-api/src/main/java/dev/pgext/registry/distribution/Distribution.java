package dev.pgext.registry.distribution;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.MappedCollection;
import org.springframework.data.relational.core.mapping.Table;

import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.problem.RegistryException;

/**
 * The distribution aggregate and its ownership rules, the only place they are written
 * down: whoever publishes a name first in a scope owns it; owners and maintainers (and
 * administrators) may publish it and change its lifecycle; only an owner offers it to
 * another user, and only that user accepts, becoming the only owner while the previous
 * owners stay maintainers. Changes return a new aggregate, which the caller saves.
 *
 * @param id the database id, {@code null} until saved
 * @param scope the stored scope ({@code ''} for public)
 * @param name the distribution name
 * @param createdAt when it was first published
 * @param deprecatedAt when it was deprecated, or {@code null}
 * @param deprecationReason why
 * @param successor the distribution to use instead, if any
 * @param maintainers its owners and maintainers
 * @param offer the open ownership offer, or {@code null}
 */
@Table("distribution")
public record Distribution(@Id Long id, String scope, String name, Instant createdAt, Instant deprecatedAt,
		String deprecationReason, String successor,
		@MappedCollection(idColumn = "distribution_id") Set<Maintainer> maintainers,
		@MappedCollection(idColumn = "distribution_id") OwnershipOffer offer) {

	/** Role of an owner. */
	public static final String OWNER = "owner";

	/** Role of a co-maintainer. */
	public static final String MAINTAINER = "maintainer";

	/**
	 * A user who may publish the distribution.
	 *
	 * @param userId the user
	 * @param role {@value #OWNER} or {@value #MAINTAINER}
	 * @param addedAt since when
	 */
	@Table("distribution_maintainer")
	public record Maintainer(Long userId, String role, Instant addedAt) {
	}

	/**
	 * An open offer of the distribution to another user.
	 *
	 * @param offeredBy the owner who offered it
	 * @param offeredTo the user who may accept
	 * @param offeredAt when
	 */
	@Table("ownership_offer")
	public record OwnershipOffer(Long offeredBy, Long offeredTo, Instant offeredAt) {
	}

	/** Whether {@code userId} owns or maintains the distribution. */
	public boolean maintainedBy(Long userId) {
		return userId != null && this.maintainers.stream().anyMatch((m) -> m.userId().equals(userId));
	}

	/** Whether {@code userId} owns the distribution. */
	public boolean ownedBy(Long userId) {
		return userId != null
				&& this.maintainers.stream().anyMatch((m) -> m.userId().equals(userId) && OWNER.equals(m.role()));
	}

	/** Whether {@code caller} may publish it and change its lifecycle. */
	public boolean mayMaintain(Caller caller) {
		return caller.isAdmin() || maintainedBy(caller.userId());
	}

	/** 403 with {@code denial} unless {@code caller} may maintain it. */
	public Distribution requireMaintainer(Caller caller, String denial) {
		if (!mayMaintain(caller)) {
			throw RegistryException.forbidden(denial);
		}
		return this;
	}

	/**
	 * 403 with {@code denial} unless {@code caller} owns it (or is an administrator, when
	 * {@code adminMay}).
	 */
	public Distribution requireOwner(Caller caller, boolean adminMay, String denial) {
		if (!(adminMay && caller.isAdmin()) && !ownedBy(caller.userId())) {
			throw RegistryException.forbidden(denial);
		}
		return this;
	}

	/**
	 * The distribution with {@code userId} as a co-maintainer (unchanged when they
	 * already maintain it).
	 */
	public Distribution withMaintainer(Long userId, Instant now) {
		if (maintainedBy(userId)) {
			return this;
		}
		Set<Maintainer> more = new LinkedHashSet<>(this.maintainers);
		more.add(new Maintainer(userId, MAINTAINER, now));
		return new Distribution(this.id, this.scope, this.name, this.createdAt, this.deprecatedAt,
				this.deprecationReason, this.successor, more, this.offer);
	}

	/** The distribution deprecated, naming {@code successor} (or none) and why. */
	public Distribution deprecate(String successor, String reason, Instant now) {
		if (this.name.equals(successor)) {
			throw RegistryException.badRequest("invalid-successor", "a distribution cannot succeed itself");
		}
		return new Distribution(this.id, this.scope, this.name, this.createdAt, now, reason, successor,
				this.maintainers, this.offer);
	}

	/** The distribution no longer deprecated; 409 when it is not. */
	public Distribution undeprecate() {
		if (this.deprecatedAt == null) {
			throw RegistryException.conflict("not-deprecated", this.name + " is not deprecated");
		}
		return new Distribution(this.id, this.scope, this.name, this.createdAt, null, null, null, this.maintainers,
				this.offer);
	}

	/**
	 * The distribution offered by owner {@code by} to {@code to}, replacing an open
	 * offer.
	 */
	public Distribution offerTo(Long by, Long to, Instant now) {
		if (to.equals(by)) {
			throw RegistryException.badRequest("invalid-offer", "you own " + this.name + " already");
		}
		return new Distribution(this.id, this.scope, this.name, this.createdAt, this.deprecatedAt,
				this.deprecationReason, this.successor, this.maintainers, new OwnershipOffer(by, to, now));
	}

	/**
	 * The distribution after {@code userId} accepts the open offer: they are the only
	 * owner, previous owners stay maintainers. 404 without an open offer, 403 when it
	 * names someone else.
	 */
	public Distribution accept(Long userId, Instant now) {
		if (this.offer == null) {
			throw RegistryException.notFound("no open ownership offer for " + this.name);
		}
		if (!this.offer.offeredTo().equals(userId)) {
			throw RegistryException.forbidden("the ownership of " + this.name + " was offered to someone else");
		}
		Set<Maintainer> after = new LinkedHashSet<>();
		for (Maintainer maintainer : this.maintainers) {
			if (!maintainer.userId().equals(userId)) {
				after.add(new Maintainer(maintainer.userId(), MAINTAINER, maintainer.addedAt()));
			}
		}
		after.add(new Maintainer(userId, OWNER, now));
		return new Distribution(this.id, this.scope, this.name, this.createdAt, this.deprecatedAt,
				this.deprecationReason, this.successor, after, null);
	}

}
