package dev.pgext.registry.auth;

import java.time.Instant;
import java.util.LinkedHashMap;
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
import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.problem.RegistryException;
import dev.pgext.service.openapi.ProblemResponses;

/**
 * Users and their API tokens.
 */
@Tag(name = "users", description = "Users, API tokens, and who a token belongs to")
@RestController
class UserController {

	private final JdbcClient jdbc;

	private final TokenIssuer issuer;

	private final AuditLog audit;

	UserController(JdbcClient jdbc, TokenIssuer issuer, AuditLog audit) {
		this.jdbc = jdbc;
		this.issuer = issuer;
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
	CreatedToken createToken(Caller caller, @Valid @RequestBody NewToken request) {
		TokenIssuer.Issued issued = this.issuer.issue(caller, request.user(), request.scopes(), request.expiresAt(),
				request.label());
		return new CreatedToken(issued.id(), issued.token(), issued.user(), issued.scopes(), issued.expiresAt());
	}

	@Operation(summary = "Revoke a token (its owner or an administrator; another user's token is not found)")
	@ProblemResponses(HttpStatus.NOT_FOUND)
	@PostMapping("/api/v1/tokens/{id}/revoke")
	Map<String, Object> revokeToken(Caller caller, @PathVariable long id) {
		this.issuer.revoke(caller, id);
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
