package dev.pgext.registry.projection;

import org.junit.jupiter.api.Test;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.model.TenantId;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ProjectionTarget} keys: the default platform keeps the key it had
 * before platforms existed (so pending jobs stay valid), every other platform adds a
 * segment.
 */
class ProjectionTargetTests {

	@Test
	void theDefaultPlatformsTargetKeepsItsOldKey() {
		ProjectionTarget.Store target = new ProjectionTarget.Store(Scope.PUBLIC, PgMajor.of(15));
		assertThat(target.key()).isEqualTo("store:/15");
		assertThat(ProjectionTarget.parse("store:/15")).isEqualTo(target);
		assertThat(ProjectionTarget.parse("store:acme/17"))
			.isEqualTo(new ProjectionTarget.Store(Scope.tenant(TenantId.of("acme")), PgMajor.of(17), Platform.DEFAULT));
	}

	@Test
	void anotherPlatformsTargetNamesItsPlatformAndParsesBack() {
		ProjectionTarget.Store target = new ProjectionTarget.Store(Scope.tenant(TenantId.of("acme")), PgMajor.of(15),
				Platform.LINUX_ARM64_GNU);
		assertThat(target.key()).isEqualTo("store:acme/15/linux-arm64-gnu");
		assertThat(ProjectionTarget.parse(target.key())).isEqualTo(target);
		assertThat(ProjectionTarget.parse("store:/18/linux-amd64-musl"))
			.isEqualTo(new ProjectionTarget.Store(Scope.PUBLIC, PgMajor.of(18), Platform.LINUX_AMD64_MUSL));
	}

}
