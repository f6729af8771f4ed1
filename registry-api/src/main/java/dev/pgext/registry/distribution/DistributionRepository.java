package dev.pgext.registry.distribution;

import java.util.Optional;

import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.relational.core.sql.LockMode;
import org.springframework.data.relational.repository.Lock;
import org.springframework.data.repository.ListCrudRepository;

/**
 * Distribution aggregates.
 */
interface DistributionRepository extends ListCrudRepository<Distribution, Long> {

	Optional<Distribution> findByScopeAndName(String scope, String name);

	/**
	 * The aggregate with its root row locked until the transaction ends, for a change.
	 */
	@Lock(LockMode.PESSIMISTIC_WRITE)
	Optional<Distribution> findForUpdateByScopeAndName(String scope, String name);

	/**
	 * Creates the root row unless it exists: the upsert that decides, among concurrent
	 * first publishes, who creates the distribution. Returns 1 when this call created it.
	 */
	@Modifying
	@Query("insert into distribution (scope, name) values (:scope, :name) on conflict do nothing")
	int createIfAbsent(String scope, String name);

}
