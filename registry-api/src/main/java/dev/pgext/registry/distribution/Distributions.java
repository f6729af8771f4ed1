package dev.pgext.registry.distribution;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.problem.RegistryException;

/**
 * Loads and saves {@link Distribution} aggregates for the features that change them
 * (publishing, lifecycle, maintainers). Call inside the caller's transaction.
 */
@Component
public class Distributions {

	private final DistributionRepository repository;

	private final JdbcClient jdbc;

	Distributions(DistributionRepository repository, JdbcClient jdbc) {
		this.repository = repository;
		this.jdbc = jdbc;
	}

	/**
	 * The distribution {@code caller} publishes into: created with {@code caller} as its
	 * owner when it is new, else checked that {@code caller} may publish it (403).
	 */
	public Distribution claimForPublishing(Caller caller, String scope, String name) {
		if (this.repository.createIfAbsent(scope, name) == 1) {
			Distribution created = forUpdate(scope, name);
			return this.repository.save(new Distribution(created.id(), scope, name, created.createdAt(), null, null,
					null, Set.of(new Distribution.Maintainer(caller.userId(), Distribution.OWNER, now())), null));
		}
		Distribution existing = this.repository.findByScopeAndName(scope, name)
			// the insert did nothing because a name that differs only in case was
			// committed by a
			// concurrent publish after the publish checks
			.orElseThrow(() -> RegistryException.conflict("name-differs-only-in-case", "distribution name '" + name
					+ "' differs only in case from a distribution published meanwhile; names are compared after "
					+ "folding to lower case"));
		return existing.requireMaintainer(caller, "distribution " + name + " belongs to other maintainers; "
				+ "ask an owner to add you (POST /api/v1/distributions/" + name + "/maintainers)");
	}

	/** The distribution; 404 when there is none. */
	public Distribution find(String scope, String name) {
		return this.repository.findByScopeAndName(scope, name)
			.orElseThrow(() -> RegistryException.notFound("no distribution " + name));
	}

	/**
	 * The distribution, locked for a change until the transaction ends; 404 when there is
	 * none.
	 */
	public Distribution forUpdate(String scope, String name) {
		return this.repository.findForUpdateByScopeAndName(scope, name)
			.orElseThrow(() -> RegistryException.notFound("no distribution " + name));
	}

	/** Saves a changed aggregate. */
	public Distribution save(Distribution distribution) {
		return this.repository.save(distribution);
	}

	/**
	 * The id of the user named {@code name}, who is to own or maintain a distribution of
	 * the stored scope {@code scope}: a user of that tenant for a private scope, of no
	 * tenant for the public one, since nobody else may publish into it or change its
	 * lifecycle. 404 when there is no such user, 400 {@code problem} for a user of
	 * another scope.
	 */
	public long maintainerId(String name, String scope, String distribution, String problem) {
		UserInScope user = user(name);
		if (!user.scope().equals(scope)) {
			throw RegistryException.badRequest(problem,
					scope.isEmpty()
							? name + " belongs to a tenant, so cannot publish into the public scope of " + distribution
							: name + " is not a user of tenant " + scope + ", so cannot publish into the scope of "
									+ distribution);
		}
		return user.id();
	}

	/**
	 * The stored scope of the tenant the user named {@code name} belongs to ({@code ''}
	 * for a user of no tenant); 404 when there is no such user.
	 */
	public String userScope(String name) {
		return user(name).scope();
	}

	/** The user named {@code name}: its id and stored scope; 404 when there is none. */
	private UserInScope user(String name) {
		return this.jdbc.sql("select id, coalesce(tenant, '') from registry_user where name = ?")
			.param(name)
			.query((rs, n) -> new UserInScope(rs.getLong(1), rs.getString(2)))
			.optional()
			.orElseThrow(() -> RegistryException.notFound("no user " + name));
	}

	private record UserInScope(long id, String scope) {
	}

	/** The names of the users {@code ids}, by id. */
	public Map<Long, String> userNames(Collection<Long> ids) {
		Map<Long, String> names = new HashMap<>();
		if (!ids.isEmpty()) {
			this.jdbc.sql("select id, name from registry_user where id = any(?)")
				.param(ids.toArray(Long[]::new))
				.query((rs) -> {
					names.put(rs.getLong(1), rs.getString(2));
				});
		}
		return names;
	}

	/**
	 * A distribution someone maintains.
	 *
	 * @param name the distribution name
	 * @param tenant the tenant of a private distribution, or {@code null}
	 * @param role {@link Distribution#OWNER} or {@link Distribution#MAINTAINER}
	 */
	public record Maintained(String name, String tenant, String role) {
	}

	/**
	 * The distributions the user {@code userName} maintains in the public scope and in
	 * {@code tenantScope} (a stored scope), by name; empty when there is no such user.
	 */
	public List<Maintained> maintainedBy(String userName, String tenantScope) {
		return this.jdbc.sql("""
				select d.name, d.scope, m.role from distribution d
				join distribution_maintainer m on m.distribution_id = d.id
				join registry_user u on u.id = m.user_id
				where u.name = ? and d.scope in ('', ?) order by d.name, d.scope
				""")
			.params(userName, tenantScope)
			.query((rs, n) -> new Maintained(rs.getString(1), rs.getString(2).isEmpty() ? null : rs.getString(2),
					rs.getString(3)))
			.list();
	}

	/** The current time as the catalog stores it. */
	public static Instant now() {
		return Instant.now().truncatedTo(ChronoUnit.MICROS);
	}

}
