package dev.pgext.loader.compute;

/**
 * A request that needs the compute's catalog came before the spec did.
 */
public class ComputeNotStartedException extends IllegalStateException {

	public ComputeNotStartedException() {
		super("no compute spec received yet: POST /compute/start or configure pgext.loader.spec-file");
	}

}
