package dev.pgext.registry.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class VersionsTests {

	private record Release(String version, boolean yanked) {
	}

	@Test
	void semanticVersionsSortByPrecedenceNotByText() {
		List<String> versions = new ArrayList<>(List.of("1.10.0", "1.2.0", "0.0.1", "1.0.0", "1.0.0-rc.1",
				"1.0.0-alpha", "1.0.0-alpha.10", "1.0.0-alpha.2", "10.0.0"));
		versions.sort(Versions.ORDER);
		assertThat(versions).containsExactly("0.0.1", "1.0.0-alpha", "1.0.0-alpha.2", "1.0.0-alpha.10", "1.0.0-rc.1",
				"1.0.0", "1.2.0", "1.10.0", "10.0.0");
	}

	@Test
	void legacyVersionsSortBelowEverySemanticVersionAndByTheirNumbers() {
		List<String> versions = new ArrayList<>(List.of("0.0.1", "v2.0", "1.10", "1.9", "01.02.03", "beta"));
		versions.sort(Versions.ORDER);
		assertThat(versions).containsExactly("beta", "01.02.03", "1.9", "1.10", "v2.0", "0.0.1");
	}

	@Test
	void theCurrentReleaseIsTheHighestNotTheLastPublished() {
		List<Release> published = List.of(new Release("1.0.0", false), new Release("0.0.1", false));
		assertThat(Versions.current(published, Release::version, Release::yanked)).map(Release::version)
			.contains("1.0.0");
	}

	@Test
	void yankingTheHighestMakesTheNextHighestCurrent() {
		List<Release> published = List.of(new Release("1.0.0", false), new Release("1.1.0", true),
				new Release("0.9.0", false));
		assertThat(Versions.current(published, Release::version, Release::yanked)).map(Release::version)
			.contains("1.0.0");
	}

	@Test
	void aPreReleaseIsCurrentOnlyWhenNothingElseIs() {
		List<Release> withStable = List.of(new Release("2.0.0-beta.1", false), new Release("1.0.0", false));
		assertThat(Versions.current(withStable, Release::version, Release::yanked)).map(Release::version)
			.contains("1.0.0");
		List<Release> onlyPreReleases = List.of(new Release("2.0.0-beta.1", false), new Release("2.0.0-beta.2", false),
				new Release("1.0.0", true));
		assertThat(Versions.current(onlyPreReleases, Release::version, Release::yanked)).map(Release::version)
			.contains("2.0.0-beta.2");
	}

	@Test
	void everythingYankedLeavesNoCurrentRelease() {
		assertThat(Versions.current(Set.of(new Release("1.0.0", true)), Release::version, Release::yanked)).isEmpty();
	}

	@Test
	void onlyExactSemanticVersionsCountAsSemantic() {
		assertThat(Versions.isSemantic("1.0.0")).isTrue();
		assertThat(Versions.isSemantic("1.0.0-rc.1+build.5")).isTrue();
		assertThat(Versions.isSemantic("v1.0.0")).isFalse();
		assertThat(Versions.isSemantic("1.0")).isFalse();
		assertThat(Versions.isSemantic("01.02.03")).isFalse();
		assertThat(Versions.isPreRelease("1.0.0-rc.1")).isTrue();
		assertThat(Versions.isPreRelease("1.0.0")).isFalse();
	}

}
