package dev.pgext.loader.compute;

import java.util.List;

import jakarta.validation.Validation;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.PgMajor;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * A Neon compute spec, written from Neon's published {@code compute_api} (spec.rs: the
 * {@code ComputeSpec}, {@code Cluster}, {@code GenericOption} and {@code RemoteExtSpec}
 * shapes), read as the loader's own.
 */
class NeonComputeSpecTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final SpecReader reader = new SpecReader(JSON, Validation.buildDefaultValidatorFactory().getValidator());

	/**
	 * A spec as a Neon control plane sends it, with the loader's local facts beside it.
	 */
	private static final String NEON = """
			{
			  "format_version": 1.0,
			  "operation_uuid": "0f657b36-4b0f-4a2d-9c4a-0e4d4e6d2c11",
			  "features": [],
			  "suspend_timeout_seconds": 300,
			  "skip_pg_catalog_updates": false,
			  "tenant_id": "3d1f7595b468230304e0b73cecbcb081",
			  "timeline_id": "7f2aff2a1042b93a2617f44851638422",
			  "pageserver_connstring": "host=pageserver port=6400",
			  "safekeeper_connstrings": ["safekeeper1:5454"],
			  "mode": "Primary",
			  "cluster": {
			    "cluster_id": "young-snowflake-123456",
			    "name": "young-snowflake-123456",
			    "state": "restarted",
			    "roles": [{"name": "alice", "encrypted_password": null, "options": null}],
			    "databases": [{"name": "neondb", "owner": "alice", "options": null}],
			    "postgresql_conf": null,
			    "settings": [
			      {"name": "port", "value": "55433", "vartype": "integer"},
			      {"name": "max_connections", "value": "100", "vartype": "integer"},
			      {"name": "shared_preload_libraries", "value": "neon,pg_stat_statements", "vartype": "string"},
			      {"name": "wal_log_hints", "value": null, "vartype": "bool"}
			    ]
			  },
			  "delta_operations": null,
			  "remote_extensions": {
			    "public_extensions": ["postgis", "pg_trgm"],
			    "custom_extensions": ["acme_audit"],
			    "library_index": {"postgis-3": "postgis", "pg_trgm": "pg_trgm", "acme_audit": "acme_audit"},
			    "extension_data": {
			      "pg_trgm": {"control_data": {"pg_trgm.control": "default_version = '1.6'"},
			                  "archive_path": "5834329303/v15/extensions/pg_trgm.tar.zst"}
			    }
			  }
			}
			""";

	@Test
	void aNeonSpecMakesOnlyItsPublicAndCustomExtensionsAvailable() {
		ComputeSpec spec = this.reader.read(JSON.readTree(withLocal(NEON)));

		assertThat(spec.availableExtensions()).containsExactly("postgis", "pg_trgm", "acme_audit");
		assertThat(spec.listedOnly()).isTrue();
		assertThat(spec.tenant()).isEqualTo("3d1f7595b468230304e0b73cecbcb081");
		assertThat(spec.sharedPreloadLibraries()).containsExactly("neon", "pg_stat_statements");
		assertThat(spec.port()).isEqualTo(55433);
		assertThat(spec.postgresSettings()).containsEntry("max_connections", "100")
			.containsEntry("shared_preload_libraries", "neon,pg_stat_statements")
			.doesNotContainKeys("port", "wal_log_hints");
		assertThat(spec.installDir()).isEqualTo("/usr/local/pgsql");
	}

	@Test
	void computeCtlsWrappedConfigurationReadsLikeTheBareSpec() {
		String wrapped = """
				{"pg_major": 15, "install_dir": "/usr/local/pgsql", "data_dir": "/var/db/postgres/compute",
				 "spec": %s, "compute_ctl_config": {"jwks": {"keys": []}}}
				""".formatted(NEON);

		ComputeSpec spec = this.reader.read(JSON.readTree(wrapped));

		assertThat(spec).isEqualTo(this.reader.read(JSON.readTree(withLocal(NEON))));
	}

	@Test
	void theLoadersLocalFieldsWinOverTheNeonSpecs() {
		String body = NEON.replaceFirst("\\{", """
				{"pg_major": 15, "install_dir": "/usr/local/pgsql", "data_dir": "/var/db/postgres/compute",
				 "port": 5432, "tenant": "acme", "settings": {"max_connections": "20"},""");

		ComputeSpec spec = this.reader.read(JSON.readTree(body));

		assertThat(spec.port()).isEqualTo(5432);
		assertThat(spec.tenant()).isEqualTo("acme");
		assertThat(spec.postgresSettings()).containsEntry("max_connections", "20");
	}

	@Test
	void aNeonSpecWithoutRemoteExtensionsMakesNoneAvailable() {
		String body = withLocal("""
				{"format_version": 1.0, "cluster": {"roles": [], "databases": [], "settings": null}, "port": 5432,
				 "remote_extensions": {"public_extensions": null, "custom_extensions": null,
				                       "library_index": {}, "extension_data": {}}}
				""");
		ComputeSpec spec = this.reader.read(JSON.readTree(body));
		ExtIndex index = ExtIndex.of(PgMajor.of(15), null, List.of(entry("hstore")));

		ExtensionCatalog catalog = ExtensionCatalog.of(index, spec.availableExtensions(), List.of(), spec.listedOnly());

		assertThat(catalog.extensions()).isEmpty();
		assertThat(spec.tenant()).isNull();
	}

	@Test
	void theLoadersOwnSpecStillMeansEveryExtensionWhenItListsNone() {
		ComputeSpec spec = this.reader.read(JSON.readTree("""
				{"pg_major": 15, "install_dir": "/usr/local/pgsql", "data_dir": "/data", "port": 5432}
				"""));

		assertThat(spec.listedOnly()).isFalse();
		assertThat(ExtensionCatalog
			.of(ExtIndex.of(PgMajor.of(15), null, List.of(entry("hstore"))), spec.availableExtensions(), List.of(),
					spec.listedOnly())
			.extensions()).hasSize(1);
	}

	@Test
	void mixingBothShapesIsRefusedWithTheReason() {
		String body = withLocal(NEON).replaceFirst("\\{", "{\"available_extensions\": [\"hstore\"],");

		assertThatIllegalArgumentException().isThrownBy(() -> this.reader.read(JSON.readTree(body)))
			.withMessageContaining("remote_extensions")
			.withMessageContaining("available_extensions");
	}

	@Test
	void aNeonSpecWithoutTheLocalFactsIsInvalidAndSaysWhichAreMissing() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.reader.read(JSON.readTree(NEON)))
			.withMessageContaining("installDir")
			.withMessageContaining("pgMajor");
	}

	private static String withLocal(String neon) {
		return neon.replaceFirst("\\{", """
				{"pg_major": 15, "install_dir": "/usr/local/pgsql", "data_dir": "/var/db/postgres/compute",""");
	}

	private static ExtIndexEntry entry(String name) {
		return new ExtIndexEntry(ExtensionName.of(name), ExtensionVersion.of("1.0"), "1.0", "default_version = '1.0'\n",
				List.of(), List.of(), List.of(), null, false, true);
	}

}
