package dev.pgext.loader.compute;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The parts of a Neon compute spec ({@code compute_ctl}'s {@code ComputeSpec}) the loader
 * reads: the tenant, the cluster's Postgres settings and the remote extensions. Every
 * other field (roles, databases, storage connections, features...) belongs to a Neon
 * compute and is ignored. docs/loader.md has the field-by-field table.
 *
 * @param formatVersion the spec's format version (Neon writes 1.0)
 * @param tenantId the Neon tenant, 32 hex digits: the pgext tenant whose private
 * extensions the compute may use
 * @param cluster the cluster's settings
 * @param remoteExtensions the extensions the compute may fetch, or none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record NeonComputeSpec(@JsonProperty("format_version") Double formatVersion, @JsonProperty("tenant_id") String tenantId,
		Cluster cluster, @JsonProperty("remote_extensions") RemoteExtensions remoteExtensions) {

	/**
	 * Neon's {@code cluster}: its {@code settings} become Postgres settings; roles,
	 * databases and {@code postgresql_conf} are ignored.
	 *
	 * @param settings the settings appended to {@code postgresql.conf} by compute_ctl
	 */
	@JsonIgnoreProperties(ignoreUnknown = true)
	record Cluster(List<GenericOption> settings) {

	}

	/**
	 * One of Neon's generic options: {@code {"name", "value", "vartype"}}.
	 *
	 * @param name the setting
	 * @param value its value, or none for a flag
	 * @param vartype Neon's type name ({@code string}, {@code integer}, {@code bool}...),
	 * not used here
	 */
	@JsonIgnoreProperties(ignoreUnknown = true)
	record GenericOption(String name, String value, String vartype) {

	}

	/**
	 * Neon's {@code remote_extensions}.
	 *
	 * @param publicExtensions public extensions the compute may use; none or empty allows
	 * none
	 * @param customExtensions the tenant's own extensions the compute may use
	 * @param libraryIndex library name to extension name, as Neon resolves {@code LOAD}
	 * @param extensionData per extension, its control files and archive path in Neon's
	 * store (the pgext index supplies both here)
	 */
	@JsonIgnoreProperties(ignoreUnknown = true)
	record RemoteExtensions(@JsonProperty("public_extensions") List<String> publicExtensions,
			@JsonProperty("custom_extensions") List<String> customExtensions,
			@JsonProperty("library_index") Map<String, String> libraryIndex,
			@JsonProperty("extension_data") Map<String, Object> extensionData) {

	}

	/**
	 * This spec as the loader's own, for a compute whose local facts (which compute_ctl
	 * takes on its command line) are given by {@code local}: its {@code pg_major},
	 * {@code install_dir}, {@code data_dir} and {@code port} (the cluster's {@code port}
	 * setting when it has none). Only the listed public and custom extensions are
	 * available, none when neither lists any; {@code shared_preload_libraries} and
	 * {@code session_preload_libraries} among the settings become the preload lists.
	 */
	ComputeSpec toComputeSpec(ComputeSpec local) {
		Map<String, String> settings = new LinkedHashMap<>();
		List<String> shared = new ArrayList<>();
		List<String> session = new ArrayList<>();
		if (this.cluster != null && this.cluster.settings() != null) {
			for (GenericOption option : this.cluster.settings()) {
				if (option == null || option.name() == null || option.value() == null) {
					continue;
				}
				switch (option.name()) {
					case "shared_preload_libraries" -> shared.addAll(libraries(option.value()));
					case "session_preload_libraries" -> session.addAll(libraries(option.value()));
					default -> settings.put(option.name(), option.value());
				}
			}
		}
		Integer port = local.port();
		if (port == null && settings.containsKey("port")) {
			port = Integer.valueOf(settings.get("port"));
		}
		settings.remove("port");
		settings.putAll(local.settings());
		Set<String> available = new LinkedHashSet<>();
		String tenant = local.tenant();
		if (this.remoteExtensions != null) {
			if (this.remoteExtensions.publicExtensions() != null) {
				available.addAll(this.remoteExtensions.publicExtensions());
			}
			if (this.remoteExtensions.customExtensions() != null
					&& !this.remoteExtensions.customExtensions().isEmpty()) {
				available.addAll(this.remoteExtensions.customExtensions());
				if (tenant == null && this.tenantId != null) {
					tenant = this.tenantId;
				}
			}
		}
		return new ComputeSpec(tenant, local.pgMajor(), local.installDir(), local.dataDir(), port,
				merge(shared, local.sharedPreloadLibraries()), merge(session, local.sessionPreloadLibraries()),
				new ArrayList<>(available), settings, true);
	}

	/** {@code 'a, "b",c'} as {@code [a, b, c]}. */
	private static List<String> libraries(String value) {
		return Arrays.stream(value.split(","))
			.map((library) -> library.strip().replaceAll("^[\"']|[\"']$", ""))
			.filter((library) -> !library.isEmpty())
			.toList();
	}

	private static List<String> merge(List<String> first, List<String> second) {
		Set<String> all = new LinkedHashSet<>(first);
		all.addAll(second);
		return new ArrayList<>(all);
	}

}
