package dev.pgext.registry.auth;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.model.TenantId;
import dev.pgext.registry.RegistryProperties;
import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.problem.ProblemResponses;
import dev.pgext.registry.problem.RegistryException;

/**
 * Users and their API tokens.
 */
@Tag(name = "users", description = "Users, API tokens, and who a token belongs to")
@RestController
class UserController {


	private final JdbcClient jdbc;

	private final Tokens tokens;

	private final AuditLog audit;

	private final RegistryProperties.TokenLifetimes lifetimes;

	UserController(JdbcClient jdbc, Tokens tokens, AuditLog audit, RegistryProperties properties) {
		this.lifetimes = properties.tokens();
		this.jdbc = jdbc;
		this.tokens = tokens;
		this.audit = audit;
	}

	/**
	 * A new user.
	 *
	 * @param name the user name
	 * @param tenant the tenant the user belongs to, or {@code null} for a user of the
	 * public registry
	 */
	record NewUser(@NotBlank @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}") String name, String tenant) {
	}

	/**
	 * A user.
	 *
	 * @param id the user's id
	 * @param name the user name
	 * @param tenant the tenant it belongs to, or {@code null}
	 */
	record User(long id, String name, String tenant) {
	}

	@Operation(summary = "Create a user, optionally of a tenant (scope admin)")
	@ProblemResponses({ HttpStatus.FORBIDDEN, HttpStatus.CONFLICT })
	@PostMapping("/api/v1/users")
	@ResponseStatus(HttpStatus.CREATED)
	@Transactional
	User createUser(Caller caller, @Valid @RequestBody NewUser request) {
		caller.requireScope(Caller.ADMIN);
		String tenant = (request.tenant() != null) ? TenantId.of(request.tenant()).value() : null;
		Long id = this.jdbc
			.sql("insert into registry_user (name, tenant) values (?, ?) on conflict (name) do nothing "
					+ "returning id")
			.params(request.name(), tenant)
			.query(Long.class)
			.optional()
			.orElse(null);
		if (id == null) {
			throw RegistryException.conflict("user-exists", "user " + request.name() + " already exists");
		}
		Map<String, Object> detail = new LinkedHashMap<>();
		detail.put("tenant", tenant);
		this.audit.record(caller.name(), "user.create", request.name(), detail);
		return new User(id, request.name(), tenant);
	}

	/**
	 * A request for a new token.
	 *
	 * @param user whose token it is; only administrators may name someone else (default:
	 * the caller)
	 * @param scopes what the token may do: {@code publish}, {@code admin},
	 * {@code bundle-approver}
	 * @param expiresAt when it stops working (default: 90 days from now)
	 * @param label a note for the owner, such as the CI job that uses it
	 */
	record NewToken(String user, @NotEmpty Set<@NotBlank String> scopes, @JsonProperty("expires_at") Instant expiresAt,
			String label) {
	}

	/**
	 * A created token: the only time its value is shown.
	 *
	 * @param id the token's id
	 * @param token the secret to send as {@code Authorization: Bearer <token>}
	 * @param user whose it is
	 * @param scopes what it may do
	 * @param expiresAt when it stops working
	 */
	record CreatedToken(long id, String token, String user, Set<String> scopes,
			@JsonProperty("expires_at") Instant expiresAt) {
	}

	@Operation(summary = "Create an API token for the caller, or as administrator for another user; "
			+ "the token is shown only in this answer")
	@ProblemResponses({ HttpStatus.FORBIDDEN, HttpStatus.NOT_FOUND })
	@PostMapping("/api/v1/tokens")
	@ResponseStatus(HttpStatus.CREATED)
	@Transactional
	CreatedToken createToken(Caller caller, @Valid @RequestBody NewToken request) {
		caller.requireAuthenticated();
		Set<String> scopes = new TreeSet<>(request.scopes());
		for (String scope : scopes) {
			if (!Caller.ALL_SCOPES.contains(scope)) {
				throw RegistryException.badRequest("invalid-scope",
						"unknown scope '" + scope + "'; scopes are " + new TreeSet<>(Caller.ALL_SCOPES));
			}
			if (!caller.isAdmin() && !caller.scopes().contains(scope)) {
				throw RegistryException.forbidden("a token cannot grant scope '" + scope + "', which it lacks itself");
			}
		}
		String userName = (request.user() != null) ? request.user() : caller.name();
		if (!userName.equals(caller.name()) && !caller.isAdmin()) {
			throw RegistryException.forbidden("only administrators create tokens for other users");
		}
		Map.Entry<Long, String> user = this.jdbc.sql("select id, tenant from registry_user where name = ?")
			.param(userName)
			.query((rs, n) -> new java.util.AbstractMap.SimpleEntry<>(rs.getLong(1), rs.getString(2)))
			.optional()
			.orElseThrow(() -> RegistryException.notFound("no user " + userName));
		long userId = user.getKey();
		for (String global : List.of(Caller.ADMIN, Caller.METRICS)) {
			if (user.getValue() != null && scopes.contains(global)) {
				// admin reads and publishes every scope, metrics show every tenant's
				// traffic; a tenant's user is bounded by its tenant
				throw RegistryException.badRequest("invalid-scope", "user " + userName + " belongs to tenant "
						+ user.getValue() + " and cannot hold scope '" + global + "'");
			}
		}
		Instant now = Instant.now();
		Instant expiresAt = (request.expiresAt() != null) ? request.expiresAt()
				: now.plus(this.lifetimes.defaultLifetime());
		if (!expiresAt.isAfter(now)) {
			throw RegistryException.badRequest("invalid-expiry", "expires_at must be in the future");
		}
		if (expiresAt.isAfter(now.plus(this.lifetimes.maxLifetime()))) {
			throw RegistryException.badRequest("invalid-expiry", "expires_at may be at most "
					+ this.lifetimes.maxLifetime().toDays() + " days from now");
		}
		String token = this.tokens.newToken();
		long id = this.tokens.store(userId, token, request.label(), scopes, expiresAt);
		this.audit.record(caller.name(), "token.create", userName,
				Map.of("token_id", id, "scopes", scopes, "expires_at", expiresAt.toString()));
		return new CreatedToken(id, token, userName, scopes, expiresAt);
	}

	@Operation(summary = "Revoke a token (its owner or an administrator)")
	@ProblemResponses(HttpStatus.FORBIDDEN)
	@PostMapping("/api/v1/tokens/{id}/revoke")
	@Transactional
	Map<String, Object> revokeToken(Caller caller, @PathVariable long id) {
		caller.requireAuthenticated();
		Long owner = this.jdbc.sql("select user_id from api_token where id = ?")
			.param(id)
			.query(Long.class)
			.optional()
			.orElseThrow(() -> RegistryException.notFound("no token " + id));
		if (!owner.equals(caller.userId()) && !caller.isAdmin()) {
			throw RegistryException.forbidden("only the token's owner or an administrator may revoke it");
		}
		this.jdbc.sql("update api_token set revoked_at = now() where id = ? and revoked_at is null").param(id).update();
		this.audit.record(caller.name(), "token.revoke", Long.toString(id), Map.of());
		return Map.of("id", id, "revoked", true);
	}

	/**
	 * The caller as the registry sees it.
	 *
	 * @param user the user name, or {@code anonymous}
	 * @param tenant the user's tenant, or {@code null}
	 * @param scopes the presented token's scopes
	 */
	record Me(String user, String tenant, Set<String> scopes) {
	}

	@Operation(summary = "The user, tenant and scopes of the presented token (anonymous without one)")
	@GetMapping("/api/v1/me")
	Me me(Caller caller) {
		return new Me(caller.name(), (caller.tenant() != null) ? caller.tenant().value() : null,
				new TreeSet<>(caller.scopes()));
	}

}
