package dev.pgext.registry.publish;

import java.util.List;

import dev.pgext.model.PgMajor;
import dev.pgext.model.control.ControlFile;
import dev.pgext.model.index.PreloadNeed;

/**
 * One extension of a release for one Postgres major, checked and with everything the
 * loader needs derived.
 *
 * @param major the Postgres major the artifact is built for
 * @param control the parsed control file; for a library module (no control file) the
 * server's defaults under the library's name
 * @param controlText the control file as shipped, or {@code null} for a library module
 * @param version the extension version this release installs
 * @param files the extension's files: control file, scripts, libraries, other share files
 * @param libraries bare names of the libraries it provides
 * @param preload whether a library must be preloaded
 * @param summary one-line summary for the catalog
 */
record PlannedExtension(PgMajor major, ControlFile control, String controlText, String version,
		List<ArtifactFile> files, List<String> libraries, PreloadNeed preload, String summary) {

	String name() {
		return this.control.name();
	}

	/** Whether this is a library module, without a control file (such as {@code auto_explain}). */
	boolean libraryModule() {
		return this.controlText == null;
	}

}
