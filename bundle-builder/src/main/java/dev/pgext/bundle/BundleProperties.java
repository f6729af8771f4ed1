package dev.pgext.bundle;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.pgext.model.store.ObjectStoreSettings;

/**
 * Configuration of the bundle builder ({@code pgext.bundle.*}; environment variables such
 * as {@code PGEXT_BUNDLE_REGISTRY_TOKEN} work too).
 *
 * @param builderVersion the version recorded in every manifest as the builder's
 * @param hostLibraryDirs where libraries the inputs do not carry are taken from, searched
 * in order
 * @param gconvDirs where glibc's gconv modules are looked for when a bundled library uses
 * iconv
 * @param chrootUsers users ({@code name:uid:gid}) the bundle's programs may run as,
 * listed in its {@code /etc/passwd}; verify runs them as {@code nobody:65534:65534},
 * which must stay listed
 * @param zstdLevel the fixed zstd level of bundle archives (part of what makes builds
 * reproducible)
 * @param workDir where verify and fetch extract bundles before checking them
 * @param programTimeout how long one program run by verify (initdb, postgres --version)
 * may take
 * @param registry the registry bundles are registered with
 * @param s3 the bucket bundles are stored in
 */
@ConfigurationProperties("pgext.bundle")
@Validated
public record BundleProperties(@NotNull String builderVersion, @NotEmpty List<Path> hostLibraryDirs,
		@NotNull List<Path> gconvDirs, @NotEmpty List<String> chrootUsers, @Min(1) @Max(22) int zstdLevel,
		@NotNull Path workDir, @NotNull Duration programTimeout, @Valid @NotNull Registry registry,
		ObjectStoreSettings s3) {

	/**
	 * The registry's address and credentials.
	 *
	 * @param url the registry's base URL, such as {@code https://registry.example.com}
	 * @param token the bearer token publish sends
	 * @param timeout how long one registry call may take
	 */
	public record Registry(URI url, String token, @DefaultValue("30s") Duration timeout) {
	}

}
