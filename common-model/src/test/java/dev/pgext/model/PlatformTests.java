package dev.pgext.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link Platform}: names, the default, and host detection.
 */
class PlatformTests {

	@Test
	void aPlatformIsWrittenOsArchLibcAndParsedBack() {
		assertThat(Platform.parse("linux-arm64-gnu")).isEqualTo(Platform.LINUX_ARM64_GNU);
		assertThat(Platform.parse("Linux-AMD64-musl")).isEqualTo(Platform.LINUX_AMD64_MUSL);
		assertThat(Platform.LINUX_AMD64_GNU).hasToString("linux-amd64-gnu");
		assertThat(Platform.DEFAULT.isDefault()).isTrue();
		assertThat(Platform.LINUX_ARM64_GNU.isDefault()).isFalse();
	}

	@Test
	void anUnknownPlatformIsRefusedNamingTheSupportedOnes() {
		assertThatExceptionOfType(InvalidValueException.class).isThrownBy(() -> Platform.parse("linux-riscv64-gnu"))
			.withMessageContaining("linux-riscv64-gnu is not supported")
			.withMessageContaining("linux-arm64-gnu");
		assertThatExceptionOfType(InvalidValueException.class).isThrownBy(() -> Platform.parse("arm64"))
			.withMessageContaining("<os>-<arch>-<libc>");
	}

	@Test
	void theHostPlatformComesFromTheJvmArchitectureAndTheMappedCLibrary() {
		assertThat(Platform.host("Linux", "amd64", "7f00 r-xp /usr/lib/x86_64-linux-gnu/libc.so.6"))
			.isEqualTo(Platform.LINUX_AMD64_GNU);
		assertThat(Platform.host("Linux", "aarch64", "7f00 r-xp /lib/ld-musl-aarch64.so.1"))
			.isEqualTo(Platform.LINUX_ARM64_MUSL);
		assertThat(Platform.host()).isEqualTo(Platform.LINUX_AMD64_GNU);
	}

	@Test
	void theDefaultPlatformKeepsTheUnprefixedStoreKeys() {
		PgMajor pg15 = PgMajor.of(15);
		assertThat(StoreLayout.extIndex(Scope.PUBLIC, pg15, Platform.DEFAULT)).isEqualTo("15/ext_index.json");
		assertThat(StoreLayout.extIndex(Scope.tenant(TenantId.of("acme")), pg15, Platform.LINUX_ARM64_GNU))
			.isEqualTo("acme/15/linux-arm64-gnu/ext_index.json");
		assertThat(StoreLayout.seedFile(Scope.PUBLIC, pg15, Platform.LINUX_ARM64_GNU, "lib/x.so"))
			.isEqualTo("15/linux-arm64-gnu/lib/x.so");
	}

}
