package dev.pgext.registry.publish;

import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

/**
 * Release aggregates. A release is inserted whole and never rewritten; yanking and
 * un-yanking touch only its row, so its extensions keep their ids.
 */
public interface ReleaseRepository extends ListCrudRepository<Release, Long> {

	/**
	 * Whether {@code distribution} has {@code version} in the stored scope {@code scope}.
	 */
	boolean existsByScopeAndDistributionAndVersion(String scope, String distribution, String version);

	/**
	 * Yanks a release that is not yanked; returns the number of releases changed (0 or
	 * 1).
	 */
	@Modifying
	@Query("update release set yanked_at = now(), yank_reason = :reason, yanked_by = :by "
			+ "where scope = :scope and distribution = :distribution and version = :version and yanked_at is null")
	int yank(String scope, String distribution, String version, String reason, Long by);

	/** Un-yanks a yanked release; returns the number of releases changed (0 or 1). */
	@Modifying
	@Query("update release set yanked_at = null, yank_reason = null, yanked_by = null "
			+ "where scope = :scope and distribution = :distribution and version = :version and yanked_at is not null")
	int unyank(String scope, String distribution, String version);

}
