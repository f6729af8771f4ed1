package dev.pgext.registry.bundles;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.pgext.model.Sha256Digest;

/**
 * Registered bundles. Registration is an upsert on the digest, so two registrations of
 * one bundle race safely.
 */
@Repository
class BundleRepository {

	private final JsonMapper json;

	private static final String SELECT = "select b.sha256, b.size, b.pg_versions::text, b.manifest::text, u.name, "
			+ "b.registered_at from bundle b join registry_user u on u.id = b.registered_by";

	private final JdbcClient jdbc;

	BundleRepository(JdbcClient jdbc, JsonMapper json) {
		this.json = json;
		this.jdbc = jdbc;
	}

	/**
	 * Registers the bundle unless its digest is registered; {@code true} when this call
	 * did.
	 */
	boolean insertIfAbsent(Sha256Digest digest, long size, Map<String, String> pgVersions, JsonNode manifest,
			String sbom, Long registeredBy) {
		return this.jdbc
			.sql("insert into bundle (sha256, size, pg_versions, manifest, sbom, registered_by) "
					+ "values (?, ?, cast(? as jsonb), cast(? as jsonb), ?, ?) on conflict (sha256) do nothing")
			.params(digest.hex(), size, this.json.writeValueAsString(pgVersions),
					this.json.writeValueAsString(manifest), sbom, registeredBy)
			.update() == 1;
	}

	/**
	 * A registered bundle's SBOM.
	 *
	 * @param sha256 the bundle's digest, hex
	 * @param content the SBOM's exact bytes
	 * @param registeredAt when the bundle was registered
	 */
	record Sbom(String sha256, byte[] content, Instant registeredAt) {
	}

	/** The SBOM of bundle {@code hex}; empty when it is unknown or has none. */
	Optional<Sbom> sbom(String hex) {
		return this.jdbc.sql("select sha256, sbom, registered_at from bundle where sha256 = ? and sbom is not null")
			.param(hex)
			.query((rs, n) -> new Sbom(rs.getString(1), rs.getString(2).getBytes(StandardCharsets.UTF_8),
					rs.getTimestamp(3).toInstant()))
			.optional();
	}

	/** Whether the registered bundle {@code digest} has exactly this content. */
	boolean sameAs(Sha256Digest digest, long size, Map<String, String> pgVersions, JsonNode manifest) {
		return this.jdbc
			.sql("select exists (select 1 from bundle where sha256 = ? and size = ? "
					+ "and pg_versions = cast(? as jsonb) and manifest = cast(? as jsonb))")
			.params(digest.hex(), size, this.json.writeValueAsString(pgVersions),
					this.json.writeValueAsString(manifest))
			.query(Boolean.class)
			.single();
	}

	/** The newest {@code limit} bundles, newest first. */
	List<BundleController.Bundle> newest(int limit) {
		return this.jdbc.sql(SELECT + " order by b.registered_at desc, b.sha256 limit ?")
			.param(limit)
			.query((rs, n) -> bundle(rs))
			.list();
	}

	Optional<BundleController.Bundle> find(String hex) {
		return this.jdbc.sql(SELECT + " where b.sha256 = ?").param(hex).query((rs, n) -> bundle(rs)).optional();
	}

	private BundleController.Bundle bundle(ResultSet rs) throws SQLException {
		return new BundleController.Bundle(rs.getString(1), rs.getLong(2),
				this.json.readValue(rs.getString(3), new TypeReference<Map<String, String>>() {
				}), this.json.readTree(rs.getString(4)), rs.getString(5), rs.getTimestamp(6).toInstant());
	}

}
