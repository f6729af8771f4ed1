package dev.pgext.registry.publish;

import java.util.List;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
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
 * @param platform the platform the artifact's libraries are built for
 */
record PlannedExtension(PgMajor major, ControlFile control, String controlText, String version,
		List<ArtifactFile> files, List<String> libraries, PreloadNeed preload, String summary, Platform platform) {

	PlannedExtension(PgMajor major, ControlFile control, String controlText, String version, List<ArtifactFile> files,
			List<String> libraries, PreloadNeed preload, String summary) {
		this(major, control, controlText, version, files, libraries, preload, summary, Platform.DEFAULT);
	}

	/** This extension as built for {@code platform}. */
	PlannedExtension on(Platform platform) {
		return new PlannedExtension(this.major, this.control, this.controlText, this.version, this.files,
				this.libraries, this.preload, this.summary, platform);
	}

	String name() {
		return this.control.name();
	}

	/**
	 * Whether this is a library module, without a control file (such as
	 * {@code auto_explain}).
	 */
	boolean libraryModule() {
		return this.controlText == null;
	}

}
