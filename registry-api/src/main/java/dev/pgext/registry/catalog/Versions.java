package dev.pgext.registry.catalog;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

import org.semver4j.Semver;

/**
 * Which release of an extension is current, the one rule that the compute manifest, the
 * {@code ext_index.json} projection, the catalog listing and the static mirror all
 * follow: the highest release by semantic version that is not yanked; a pre-release only
 * when no other release is left. The publication order never matters.
 * <p>
 * Versions are compared as semantic versions (SemVer 2.0 precedence; build metadata
 * breaks ties only so that the order is total). A version that is not an exact semantic
 * version (a legacy {@code 1.0}, {@code v1.0.0}, {@code 01.02.03}) sorts below every
 * semantic version; among themselves such versions compare by their coerced numbers, then
 * as text.
 */
public final class Versions {

	/** Ascending version order: the greatest element is the highest version. */
	public static final Comparator<String> ORDER = Versions::compare;

	private Versions() {
	}

	/**
	 * The current release among {@code releases}: the highest non-yanked one that is not
	 * a pre-release, else the highest non-yanked pre-release, else empty (everything is
	 * yanked).
	 * @param <T> the release type
	 * @param releases the candidates, in any order
	 * @param version the version of a candidate
	 * @param yanked whether a candidate is yanked
	 * @return the current release, if any
	 */
	public static <T> Optional<T> current(Collection<T> releases, Function<T, String> version, Predicate<T> yanked) {
		Comparator<T> order = Comparator.comparing(version, ORDER);
		Optional<T> release = releases.stream()
			.filter(yanked.negate())
			.filter((candidate) -> !isPreRelease(version.apply(candidate)))
			.max(order);
		return release.isPresent() ? release : releases.stream().filter(yanked.negate()).max(order);
	}

	/**
	 * Whether {@code version} is an exact semantic version, such as {@code 1.0.0} or
	 * {@code 2.1.0-rc.1}.
	 */
	public static boolean isSemantic(String version) {
		return strict(version) != null;
	}

	/** Whether {@code version} is a semantic version with a pre-release part. */
	public static boolean isPreRelease(String version) {
		Semver semver = strict(version);
		return semver != null && !semver.getPreRelease().isEmpty();
	}

	static int compare(String left, String right) {
		Semver a = strict(left);
		Semver b = strict(right);
		if (a != null && b != null) {
			int precedence = a.compareTo(b);
			return (precedence != 0) ? precedence : left.compareTo(right);
		}
		if (a != null || b != null) {
			return (a != null) ? 1 : -1;
		}
		Semver coercedA = coerce(left);
		Semver coercedB = coerce(right);
		if (coercedA != null && coercedB != null) {
			int numbers = coercedA.compareTo(coercedB);
			if (numbers != 0) {
				return numbers;
			}
		}
		else if (coercedA != null || coercedB != null) {
			return (coercedA != null) ? 1 : -1;
		}
		return left.compareTo(right);
	}

	private static Semver strict(String version) {
		if (version == null) {
			return null;
		}
		Semver parsed = Semver.parse(version);
		// the parser forgives a leading 'v' and blanks; the catalog's rule does not
		return (parsed != null && parsed.getVersion().equals(version)) ? parsed : null;
	}

	private static Semver coerce(String version) {
		try {
			return Semver.coerce(version);
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

}
