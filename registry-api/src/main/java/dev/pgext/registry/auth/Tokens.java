package dev.pgext.registry.auth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.TenantId;
import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.problem.RegistryException;

/**
 * Creates API tokens and resolves presented ones. A token is 32 random bytes; the
 * database keeps only its SHA-256, which is enough for a secret of that much entropy (no
 * password-style stretching needed) and lets a lookup use an index.
 */
@Component
public class Tokens {

	private static final String PREFIX = "pgx_";

	private final SecureRandom random = new SecureRandom();

	private final JdbcClient jdbc;

	Tokens(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** A new random token value; only shown to its owner once. */
	public String newToken() {
		byte[] bytes = new byte[32];
		this.random.nextBytes(bytes);
		return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	public static String hash(String token) {
		return Sha256Digest.of(token.getBytes(StandardCharsets.UTF_8)).hex();
	}

	/** Stores a token's hash for {@code userId}, returning the token's id. */
	public long store(long userId, String token, String label, Set<String> scopes, Instant expiresAt) {
		return this.jdbc
			.sql("insert into api_token (user_id, token_hash, label, scopes, expires_at) values (?, ?, ?, ?, ?) "
					+ "returning id")
			.params(userId, hash(token), label, scopes.stream().sorted().toArray(String[]::new),
					(expiresAt != null) ? Timestamp.from(expiresAt) : null)
			.query(Long.class)
			.single();
	}

	/**
	 * The caller a presented token stands for.
	 * @throws RegistryException 401 when the token is unknown, revoked or expired
	 */
	public Caller resolve(String token) {
		Optional<Resolved> found = this.jdbc
			.sql("select t.user_id, u.name, u.tenant, t.scopes, t.expires_at, t.revoked_at from api_token t "
					+ "join registry_user u on u.id = t.user_id where t.token_hash = ?")
			.param(hash(token))
			.query((rs, n) -> new Resolved(rs.getLong(1), rs.getString(2), rs.getString(3), strings(rs.getArray(4)),
					instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6))))
			.optional();
		Resolved resolved = found.orElseThrow(() -> RegistryException.unauthenticated("invalid-token",
				"the API token is not known to this registry"));
		if (resolved.revokedAt() != null) {
			throw RegistryException.unauthenticated("invalid-token", "the API token was revoked");
		}
		if (resolved.expiresAt() != null && !resolved.expiresAt().isAfter(Instant.now())) {
			throw RegistryException.unauthenticated("token-expired",
					"the API token expired at " + resolved.expiresAt() + "; create a new one");
		}
		Set<String> scopes = resolved.scopes();
		if (resolved.tenant() != null && scopes.contains(Caller.ADMIN)) {
			// a token stored before tenant users were barred from admin keeps only its
			// other scopes
			scopes = new java.util.TreeSet<>(scopes);
			scopes.remove(Caller.ADMIN);
			scopes.remove(Caller.METRICS);
		}
		return new Caller(resolved.userId(), resolved.name(),
				(resolved.tenant() != null) ? TenantId.of(resolved.tenant()) : null, scopes);
	}

	private record Resolved(long userId, String name, String tenant, Set<String> scopes, Instant expiresAt,
			Instant revokedAt) {
	}

	static Set<String> strings(Array array) throws SQLException {
		return (array != null) ? Set.of((String[]) array.getArray()) : Set.of();
	}

	static Instant instant(Timestamp timestamp) {
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

}
