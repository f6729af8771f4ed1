package dev.pgext.registry.auth;

import java.time.Instant;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import dev.pgext.registry.RegistryProperties;
import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.problem.RegistryException;

/**
 * Creates, lists and revokes API tokens with the same rules for every client (the JSON
 * API and the web pages): a token grants no scope its creator lacks, only administrators
 * create tokens for others, a tenant's user holds no global scope, lifetimes are bounded,
 * and every change is audited.
 */
@Component
public class TokenIssuer {

	private final JdbcClient jdbc;

	private final Tokens tokens;

	private final AuditLog audit;

	private final RegistryProperties.TokenLifetimes lifetimes;

	TokenIssuer(JdbcClient jdbc, Tokens tokens, AuditLog audit, RegistryProperties properties) {
		this.jdbc = jdbc;
		this.tokens = tokens;
		this.audit = audit;
		this.lifetimes = properties.tokens();
	}

	/**
	 * A created token: the only time its value is shown.
	 *
	 * @param id the token's id
	 * @param token the secret
	 * @param user whose it is
	 * @param scopes what it may do
	 * @param expiresAt when it stops working
	 */
	public record Issued(long id, String token, String user, Set<String> scopes, Instant expiresAt) {
	}

	/**
	 * A token as its owner sees it later: never its value.
	 *
	 * @param id the token's id
	 * @param label the owner's note, or {@code null}
	 * @param scopes what it may do
	 * @param createdAt when it was created
	 * @param expiresAt when it stops working, or {@code null}
	 * @param revokedAt when it was revoked, or {@code null}
	 */
	public record Listed(long id, String label, Set<String> scopes, Instant createdAt, Instant expiresAt,
			Instant revokedAt) {

		public boolean active() {
			return this.revokedAt == null && (this.expiresAt == null || this.expiresAt.isAfter(Instant.now()));
		}
	}

	/**
	 * Creates a token for {@code userName} (the caller's own when {@code null}).
	 * @param expiresAt when it stops working; {@code null} for the default lifetime
	 */
	@Transactional
	public Issued issue(Caller caller, String userName, Set<String> requestedScopes, Instant expiresAt, String label) {
		caller.requireAuthenticated();
		Set<String> scopes = new TreeSet<>(requestedScopes);
		if (scopes.isEmpty()) {
			throw RegistryException.badRequest("invalid-scope", "a token needs at least one scope");
		}
		for (String scope : scopes) {
			if (!Caller.ALL_SCOPES.contains(scope)) {
				throw RegistryException.badRequest("invalid-scope",
						"unknown scope '" + scope + "'; scopes are " + new TreeSet<>(Caller.ALL_SCOPES));
			}
			if (!caller.isAdmin() && !caller.scopes().contains(scope)) {
				throw RegistryException.forbidden("a token cannot grant scope '" + scope + "', which it lacks itself");
			}
		}
		String name = (userName != null) ? userName : caller.name();
		if (!name.equals(caller.name()) && !caller.isAdmin()) {
			throw RegistryException.forbidden("only administrators create tokens for other users");
		}
		Map.Entry<Long, String> user = this.jdbc.sql("select id, tenant from registry_user where name = ?")
			.param(name)
			.query((rs, n) -> new AbstractMap.SimpleEntry<>(rs.getLong(1), rs.getString(2)))
			.optional()
			.orElseThrow(() -> RegistryException.notFound("no user " + name));
		for (String global : List.of(Caller.ADMIN, Caller.METRICS)) {
			if (user.getValue() != null && scopes.contains(global)) {
				// admin reads and publishes every scope, metrics show every tenant's
				// traffic; a tenant's user is bounded by its tenant
				throw RegistryException.badRequest("invalid-scope", "user " + name + " belongs to tenant "
						+ user.getValue() + " and cannot hold scope '" + global + "'");
			}
		}
		Instant now = Instant.now();
		Instant expiry = (expiresAt != null) ? expiresAt : now.plus(this.lifetimes.defaultLifetime());
		if (!expiry.isAfter(now)) {
			throw RegistryException.badRequest("invalid-expiry", "expires_at must be in the future");
		}
		if (expiry.isAfter(now.plus(this.lifetimes.maxLifetime()))) {
			throw RegistryException.badRequest("invalid-expiry",
					"expires_at may be at most " + this.lifetimes.maxLifetime().toDays() + " days from now");
		}
		String token = this.tokens.newToken();
		long id = this.tokens.store(user.getKey(), token, label, scopes, expiry);
		this.audit.record(caller.name(), "token.create", name,
				Map.of("token_id", id, "scopes", scopes, "expires_at", expiry.toString()));
		return new Issued(id, token, name, scopes, expiry);
	}

	/**
	 * Revokes a token of the caller's (or any, for an administrator); revoking twice
	 * changes nothing. Another user's token is not found, as an unknown one is: token ids
	 * are sequential, and a different answer would tell which exist.
	 */
	@Transactional
	public void revoke(Caller caller, long id) {
		caller.requireAuthenticated();
		this.jdbc.sql("select user_id from api_token where id = ?")
			.param(id)
			.query(Long.class)
			.optional()
			.filter((owner) -> owner.equals(caller.userId()) || caller.isAdmin())
			.orElseThrow(() -> RegistryException.notFound("no token " + id));
		this.jdbc.sql("update api_token set revoked_at = now() where id = ? and revoked_at is null").param(id).update();
		this.audit.record(caller.name(), "token.revoke", Long.toString(id), Map.of());
	}

	/** The caller's own tokens, newest first. */
	public List<Listed> own(Caller caller) {
		caller.requireAuthenticated();
		return this.jdbc
			.sql("select id, label, scopes, created_at, expires_at, revoked_at from api_token where user_id = ? "
					+ "order by id desc")
			.param(caller.userId())
			.query((rs, n) -> new Listed(rs.getLong(1), rs.getString(2), new TreeSet<>(Tokens.strings(rs.getArray(3))),
					rs.getTimestamp(4).toInstant(), Tokens.instant(rs.getTimestamp(5)),
					Tokens.instant(rs.getTimestamp(6))))
			.list();
	}

}
