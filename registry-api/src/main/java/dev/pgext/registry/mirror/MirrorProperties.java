package dev.pgext.registry.mirror;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The static mirror.
 *
 * @param enabled whether refresh jobs write the mirror; when off they finish without
 * touching the store
 */
@ConfigurationProperties("pgext.registry.mirror")
public record MirrorProperties(@DefaultValue("true") boolean enabled) {
}
