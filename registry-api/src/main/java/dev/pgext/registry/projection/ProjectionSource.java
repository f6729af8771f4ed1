package dev.pgext.registry.projection;

import java.util.List;
import java.util.Optional;

/**
 * What one feature projects into the store. The reconciler calls {@link #project} inside
 * a read-only repeatable-read transaction, so a projection is one consistent view of the
 * catalog.
 */
public interface ProjectionSource {

	/** Whether this source computes {@code target}. */
	boolean handles(ProjectionTarget target);

	/**
	 * The object set {@code target} should hold; empty when the target is switched off
	 * and must be left as it is. Unless {@code full}, a source may compute only what
	 * changed since its last run (a projection that owns fewer keys); with {@code full}
	 * it computes all of it.
	 */
	Optional<Projection> project(ProjectionTarget target, boolean full);

	/** Every target of this source a full reconcile visits. */
	List<ProjectionTarget> targets();

}
