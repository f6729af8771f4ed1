package dev.pgext.registry.events;

import java.util.List;

/**
 * The kinds of change the registry announces; {@code docs/registry.md} shows each one's
 * JSON.
 */
public final class EventTypes {

	/** A release was published. */
	public static final String RELEASE_PUBLISHED = "release.published";

	/** A release was yanked: hidden from manifests and search, still downloadable. */
	public static final String RELEASE_YANKED = "release.yanked";

	/** A yanked release is back. */
	public static final String RELEASE_UNYANKED = "release.unyanked";

	/** A distribution was deprecated, perhaps naming a successor. */
	public static final String DISTRIBUTION_DEPRECATED = "distribution.deprecated";

	/** A distribution is no longer deprecated. */
	public static final String DISTRIBUTION_UNDEPRECATED = "distribution.undeprecated";

	/** An owner offered a distribution to another user. */
	public static final String OWNERSHIP_OFFERED = "ownership.offered";

	/** The offered user accepted and owns the distribution now. */
	public static final String OWNERSHIP_TRANSFERRED = "ownership.transferred";

	/** An owner added a co-maintainer. */
	public static final String MAINTAINER_ADDED = "maintainer.added";

	/** Someone proposed a bundle pin for an environment. */
	public static final String BUNDLE_PIN_PROPOSED = "bundle_pin.proposed";

	/** A second person approved a proposed pin, which is now in effect. */
	public static final String BUNDLE_PIN_APPROVED = "bundle_pin.approved";

	/** Every type, for validating subscriptions. */
	public static final List<String> ALL = List.of(RELEASE_PUBLISHED, RELEASE_YANKED, RELEASE_UNYANKED,
			DISTRIBUTION_DEPRECATED, DISTRIBUTION_UNDEPRECATED, OWNERSHIP_OFFERED, OWNERSHIP_TRANSFERRED,
			MAINTAINER_ADDED, BUNDLE_PIN_PROPOSED, BUNDLE_PIN_APPROVED);

	private EventTypes() {
	}

}
