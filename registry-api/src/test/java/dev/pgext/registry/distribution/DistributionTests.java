package dev.pgext.registry.distribution;

import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.problem.RegistryException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class DistributionTests {

	private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

	private static final Caller OWNER = new Caller(1L, "owner", null, Set.of(Caller.PUBLISH));

	private static final Caller HELPER = new Caller(2L, "helper", null, Set.of(Caller.PUBLISH));

	private static final Caller STRANGER = new Caller(3L, "stranger", null, Set.of(Caller.PUBLISH));

	private static final Caller ADMIN = new Caller(4L, "admin", null, Set.of(Caller.ADMIN));

	private final Distribution distribution = new Distribution(7L, "", "hello", NOW, null, null, null,
			Set.of(new Distribution.Maintainer(1L, Distribution.OWNER, NOW)), null)
		.withMaintainer(2L, NOW);

	@Test
	void ownersMaintainersAndAdministratorsMayMaintainButNobodyElse() {
		assertThat(this.distribution.mayMaintain(OWNER)).isTrue();
		assertThat(this.distribution.mayMaintain(HELPER)).isTrue();
		assertThat(this.distribution.mayMaintain(ADMIN)).isTrue();
		assertThat(this.distribution.mayMaintain(STRANGER)).isFalse();
		assertThat(this.distribution.mayMaintain(Caller.ANONYMOUS)).isFalse();
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> this.distribution.requireMaintainer(STRANGER, "not yours"))
			.withMessage("not yours");
	}

	@Test
	void onlyAnOwnerOffersAndOnlyTheOfferedUserAccepts() {
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> this.distribution.requireOwner(HELPER, false, "owners only"));
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> this.distribution.requireOwner(ADMIN, false, "owners only"));
		assertThat(this.distribution.requireOwner(ADMIN, true, "owners only")).isSameAs(this.distribution);

		Distribution offered = this.distribution.offerTo(1L, 3L, NOW);
		assertThatExceptionOfType(RegistryException.class).isThrownBy(() -> offered.accept(2L, NOW))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("forbidden"));
		Distribution accepted = offered.accept(3L, NOW);
		assertThat(accepted.offer()).isNull();
		assertThat(accepted.ownedBy(3L)).isTrue();
		assertThat(accepted.ownedBy(1L)).isFalse();
		assertThat(accepted.maintainedBy(1L)).isTrue();
		assertThat(accepted.maintainers()).hasSize(3);
	}

	@Test
	void anOwnerCannotOfferToThemselvesAndAcceptingNeedsAnOpenOffer() {
		assertThatExceptionOfType(RegistryException.class).isThrownBy(() -> this.distribution.offerTo(1L, 1L, NOW))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("invalid-offer"));
		assertThatExceptionOfType(RegistryException.class).isThrownBy(() -> this.distribution.accept(3L, NOW))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("not-found"));
	}

	@Test
	void aDistributionCannotSucceedItselfAndOnlyADeprecatedOneIsUndeprecated() {
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> this.distribution.deprecate("hello", "renamed", NOW))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("invalid-successor"));
		assertThatExceptionOfType(RegistryException.class).isThrownBy(this.distribution::undeprecate)
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("not-deprecated"));
		Distribution deprecated = this.distribution.deprecate("hello2", "renamed", NOW);
		assertThat(deprecated.successor()).isEqualTo("hello2");
		assertThat(deprecated.undeprecate().deprecatedAt()).isNull();
	}

	@Test
	void addingAnExistingMaintainerChangesNothing() {
		assertThat(this.distribution.withMaintainer(1L, NOW)).isSameAs(this.distribution);
		assertThat(this.distribution.withMaintainer(2L, NOW)).isSameAs(this.distribution);
	}

}
