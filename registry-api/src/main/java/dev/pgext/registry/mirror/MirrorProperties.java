package dev.pgext.registry.mirror;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The static mirror.
 *
 * @param enabled whether the reconciler writes the mirror; when off, runs of the mirror
 * target leave it untouched
 */
@ConfigurationProperties("pgext.registry.mirror")
public record MirrorProperties(@DefaultValue("true") boolean enabled) {
}
