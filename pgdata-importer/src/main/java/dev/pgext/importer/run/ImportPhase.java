package dev.pgext.importer.run;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the instance running an import in progress does at the moment. Kept in memory by
 * the run only, never in {@code index_part.json}: a run that takes an import over (after
 * a restart, or from another instance) starts again from the phase its record allows.
 */
public enum ImportPhase {

	/** Polling {@code status/pgdata} until the uploader says the PGDATA is complete. */
	@JsonProperty("waiting_for_upload")
	WAITING_FOR_UPLOAD,

	/**
	 * Listing the input once and freezing the listing, with the upload's file list, as
	 * the manifest.
	 */
	@JsonProperty("listing")
	LISTING,

	/**
	 * Reading {@code pg_control}, checking the files against the upload's file list and
	 * planning the jobs; a resumed import reads its frozen manifest and plans again.
	 */
	@JsonProperty("planning")
	PLANNING,

	/** Running the jobs: layers written, uploaded and recorded one by one. */
	@JsonProperty("importing")
	IMPORTING,

	/**
	 * The import reached its end, every job done or a failure: recording the outcome.
	 */
	@JsonProperty("finishing")
	FINISHING

}
