package dev.pgext.loader.compute;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import dev.pgext.model.PgMajor;
import dev.pgext.model.TenantId;

/**
 * What the control plane tells the loader about one compute, from the spec file or
 * {@code POST /compute/start}.
 *
 * @param tenant the tenant whose private extensions this compute may use, or none for
 * public ones only
 * @param pgMajor the Postgres major of the installation
 * @param installDir the Postgres installation ({@code bin/}, {@code lib/},
 * {@code share/}) that files are placed into
 * @param dataDir the data directory; an empty or missing one is initialised with
 * {@code initdb}
 * @param port the port Postgres listens on
 * @param sharedPreloadLibraries libraries the postmaster loads: their extensions are
 * placed before start
 * @param sessionPreloadLibraries libraries every session loads: their extensions are
 * placed while Postgres starts, before the compute is reported ready
 * @param availableExtensions the extensions this compute may use; empty means every one
 * in the indexes
 * @param settings further Postgres settings, passed as {@code -c name=value}
 * @param listedOnly whether only the listed extensions are available even when none is
 * listed (a Neon spec that allows no remote extension); never read from this spec's own
 * JSON
 */
public record ComputeSpec(@Pattern(regexp = "[a-z0-9][a-z0-9_-]{0,63}") String tenant,
		@JsonProperty("pg_major") @NotNull @Min(PgMajor.MIN_SUPPORTED) @Max(PgMajor.MAX_SUPPORTED) Integer pgMajor,
		@JsonProperty("install_dir") @NotBlank String installDir, @JsonProperty("data_dir") @NotBlank String dataDir,
		@NotNull @Min(1) @Max(65535) Integer port,
		@JsonProperty("shared_preload_libraries") List<@NotBlank String> sharedPreloadLibraries,
		@JsonProperty("session_preload_libraries") List<@NotBlank String> sessionPreloadLibraries,
		@JsonProperty("available_extensions") List<@NotBlank String> availableExtensions,
		Map<@NotBlank String, @NotNull String> settings, @JsonIgnore boolean listedOnly) {

	public ComputeSpec {
		sharedPreloadLibraries = (sharedPreloadLibraries != null) ? List.copyOf(sharedPreloadLibraries) : List.of();
		sessionPreloadLibraries = (sessionPreloadLibraries != null) ? List.copyOf(sessionPreloadLibraries) : List.of();
		availableExtensions = (availableExtensions != null) ? List.copyOf(availableExtensions) : List.of();
		settings = (settings != null) ? new LinkedHashMap<>(settings) : new LinkedHashMap<>();
	}

	/**
	 * A spec in the loader's own shape, where an empty {@code availableExtensions} means
	 * every one.
	 */
	public ComputeSpec(String tenant, Integer pgMajor, String installDir, String dataDir, Integer port,
			List<String> sharedPreloadLibraries, List<String> sessionPreloadLibraries, List<String> availableExtensions,
			Map<String, String> settings) {
		this(tenant, pgMajor, installDir, dataDir, port, sharedPreloadLibraries, sessionPreloadLibraries,
				availableExtensions, settings, false);
	}

	public PgMajor major() {
		return PgMajor.of(this.pgMajor);
	}

	/** The tenant, or {@code null} for a compute that sees public extensions only. */
	public TenantId tenantId() {
		return (this.tenant == null || this.tenant.isBlank()) ? null : TenantId.of(this.tenant);
	}

	/**
	 * Every {@code -c} setting of the postmaster: the preload lists, the spec's settings,
	 * and {@code listen_addresses=127.0.0.1} unless the spec says otherwise.
	 */
	public Map<String, String> postgresSettings() {
		Map<String, String> all = new LinkedHashMap<>();
		all.put("listen_addresses", "127.0.0.1");
		all.putAll(this.settings);
		if (!this.sharedPreloadLibraries.isEmpty()) {
			all.put("shared_preload_libraries", String.join(",", this.sharedPreloadLibraries));
		}
		if (!this.sessionPreloadLibraries.isEmpty()) {
			all.put("session_preload_libraries", String.join(",", this.sessionPreloadLibraries));
		}
		return all;
	}

}
