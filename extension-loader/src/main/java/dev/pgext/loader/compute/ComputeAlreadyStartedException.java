package dev.pgext.loader.compute;

/**
 * A loader serves one compute: a second spec is refused.
 */
public class ComputeAlreadyStartedException extends IllegalStateException {

	public ComputeAlreadyStartedException(Compute.Phase phase) {
		super("this loader already serves a compute (" + phase.name().toLowerCase(java.util.Locale.ROOT) + ")");
	}

}
