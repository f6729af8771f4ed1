package dev.pgext.registry.pgxn;

import java.net.URI;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The PGXN interface.
 *
 * @param mirrors base URLs of the PGXN mirrors listed at the {@code mirrors} template
 * (such as the static mirror's public URL); none by default
 */
@ConfigurationProperties("pgext.registry.pgxn")
public record PgxnProperties(@DefaultValue List<URI> mirrors) {
}
