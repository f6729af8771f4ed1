package dev.pgext.registry.signing;

import java.nio.file.Path;
import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the registry signs the metadata it writes and serves.
 *
 * @param privateKeyFile the Ed25519 private key, PKCS#8 PEM
 * ({@code openssl genpkey -algorithm
 * ed25519}), such as a mounted Kubernetes Secret; its key id is derived from its public
 * key
 * @param allowUnsigned whether the registry may run without a key, writing and serving
 * unsigned metadata; without a key and without this the registry refuses to start
 * @param validity how long a signature is valid; consumers refuse a document whose
 * signature has expired, so a frozen copy of the store stops being trusted
 * @param refreshBefore a signature that expires within this much time is replaced by the
 * next reconcile; must exceed {@code pgext.registry.projection.full-reconcile-interval}
 */
@ConfigurationProperties("pgext.registry.signing")
@Validated
public record SigningProperties(Path privateKeyFile, @DefaultValue("false") boolean allowUnsigned,
		@NotNull @DefaultValue("7d") Duration validity, @NotNull @DefaultValue("2d") Duration refreshBefore) {
}
