package dev.pgext.registry.bundles;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.store.ObjectInfo;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.auth.Caller;
import dev.pgext.registry.problem.RegistryException;

/**
 * {@code /api/v1/bundles}: registering a bundle that CI has uploaded to
 * {@code bundles/sha256/<hex>.tar.zst}, and listing the registered ones. Registering is
 * idempotent for equal content and refused for different content under the same digest.
 */
@RestController
class BundleController {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final JdbcClient jdbc;

	private final ObjectStore store;

	private final AuditLog audit;

	BundleController(JdbcClient jdbc, ObjectStore store, AuditLog audit) {
		this.jdbc = jdbc;
		this.store = store;
		this.audit = audit;
	}

	/**
	 * A bundle to register.
	 *
	 * @param sha256 digest of the {@code .tar.zst}
	 * @param size its size in bytes
	 * @param pgVersions full Postgres version per major, such as {@code "17": "17.11"}
	 * @param manifest the bundle's {@code bundle.json}
	 */
	record BundleRequest(@NotNull String sha256, @Positive long size,
			@JsonProperty("pg_versions") @NotEmpty Map<String, String> pgVersions, @NotNull JsonNode manifest) {
	}

	/**
	 * A registered bundle.
	 *
	 * @param sha256 digest of the {@code .tar.zst}
	 * @param size its size in bytes
	 * @param pgVersions full Postgres version per major
	 * @param manifest the bundle's {@code bundle.json}
	 * @param registeredBy who registered it
	 * @param registeredAt when
	 */
	record Bundle(String sha256, long size, @JsonProperty("pg_versions") Map<String, String> pgVersions,
			JsonNode manifest, @JsonProperty("registered_by") String registeredBy,
			@JsonProperty("registered_at") Instant registeredAt) {
	}

	@Operation(summary = "Register a bundle already uploaded to bundles/sha256/<hex>.tar.zst (scope publish)")
	@PostMapping("/api/v1/bundles")
	@Transactional
	ResponseEntity<Bundle> register(@Parameter(hidden = true) Caller caller,
			@Valid @RequestBody BundleRequest request) {
		caller.requireScope(Caller.PUBLISH, Caller.ADMIN);
		Sha256Digest digest = Sha256Digest.parse(request.sha256());
		Map<String, String> pgVersions = new TreeMap<>();
		request.pgVersions().forEach((major, version) -> {
			PgMajor parsed = PgMajor.parse(major);
			if (version == null || !(version.equals(parsed.toString()) || version.startsWith(parsed + "."))) {
				throw RegistryException.unprocessable("invalid-bundle",
						"pg_versions: '" + version + "' is not a version of PostgreSQL " + parsed);
			}
			pgVersions.put(parsed.toString(), version);
		});
		String key = StoreLayout.bundle(digest);
		ObjectInfo object = this.store.head(key)
			.orElseThrow(() -> RegistryException.unprocessable("bundle-not-in-store",
					"upload the bundle to " + key + " in bucket " + this.store.bucket() + " before registering it"));
		if (object.size() != request.size()) {
			throw RegistryException.unprocessable("bundle-size-mismatch",
					key + " is " + object.size() + " bytes, not " + request.size());
		}
		String versionsJson = JSON.writeValueAsString(pgVersions);
		int inserted = this.jdbc
			.sql("insert into bundle (sha256, size, pg_versions, manifest, registered_by) "
					+ "values (?, ?, cast(? as jsonb), cast(? as jsonb), ?) on conflict (sha256) do nothing")
			.params(digest.hex(), request.size(), versionsJson, JSON.writeValueAsString(request.manifest()),
					caller.userId())
			.update();
		if (inserted == 0) {
			boolean same = this.jdbc
				.sql("select count(*) from bundle where sha256 = ? and size = ? and pg_versions = cast(? as jsonb) "
						+ "and manifest = cast(? as jsonb)")
				.params(digest.hex(), request.size(), versionsJson, JSON.writeValueAsString(request.manifest()))
				.query(Long.class)
				.single() > 0;
			if (!same) {
				throw RegistryException.conflict("bundle-conflict",
						"bundle " + digest.hex() + " is already registered with different content");
			}
			return ResponseEntity.ok(find(digest.hex()));
		}
		this.audit.record(caller.name(), "bundle.register", digest.hex(),
				Map.of("size", request.size(), "pg_versions", pgVersions));
		return ResponseEntity.status(HttpStatus.CREATED).body(find(digest.hex()));
	}

	@Operation(summary = "Registered bundles, newest first")
	@GetMapping("/api/v1/bundles")
	List<Bundle> list(@RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
		return this.jdbc.sql(SELECT + " order by b.registered_at desc, b.sha256 limit ?")
			.param(limit)
			.query((rs, n) -> bundle(rs))
			.list();
	}

	@Operation(summary = "One registered bundle")
	@GetMapping("/api/v1/bundles/{sha256}")
	Bundle get(@PathVariable String sha256) {
		return find(Sha256Digest.parse(sha256).hex());
	}

	private static final String SELECT = "select b.sha256, b.size, b.pg_versions::text, b.manifest::text, u.name, "
			+ "b.registered_at from bundle b join registry_user u on u.id = b.registered_by";

	private Bundle find(String hex) {
		return this.jdbc.sql(SELECT + " where b.sha256 = ?")
			.param(hex)
			.query((rs, n) -> bundle(rs))
			.optional()
			.orElseThrow(() -> RegistryException.notFound("no bundle " + hex));
	}

	private static Bundle bundle(java.sql.ResultSet rs) throws java.sql.SQLException {
		return new Bundle(rs.getString(1), rs.getLong(2),
				JSON.readValue(rs.getString(3), new TypeReference<Map<String, String>>() {
				}), JSON.readTree(rs.getString(4)), rs.getString(5), rs.getTimestamp(6).toInstant());
	}

}
