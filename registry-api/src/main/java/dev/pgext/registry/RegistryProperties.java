package dev.pgext.registry;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.validation.annotation.Validated;

import dev.pgext.model.store.ObjectStoreSettings;

/**
 * Configuration of the registry.
 *
 * @param s3 the extension store bucket: endpoint, region, bucket, credentials, retries
 */
@ConfigurationProperties("pgext.registry")
@Validated
public record RegistryProperties(@NestedConfigurationProperty ObjectStoreSettings s3) {

}
