package dev.pgext.model.control;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the shared libraries an extension's SQL scripts load: {@code '$libdir/name'} in
 * {@code AS} clauses and {@code LOAD} commands, and {@code MODULE_PATHNAME}, which the
 * server replaces with the control file's {@code module_pathname}.
 */
public final class LibraryReferences {

	private static final Pattern LIBDIR = Pattern.compile("\\$libdir/([A-Za-z0-9_.+-]+)");

	private static final Pattern MODULE_PATHNAME = Pattern.compile("\\bMODULE_PATHNAME\\b");

	private LibraryReferences() {
	}

	/**
	 * Bare library names (no {@code $libdir/}, no {@code .so}) that {@code sql} refers
	 * to.
	 * @param sql an install or update script
	 * @param control the extension's control file, for {@code MODULE_PATHNAME}
	 */
	public static Set<String> in(String sql, ControlFile control) {
		Set<String> libraries = new TreeSet<>();
		Matcher libdir = LIBDIR.matcher(sql);
		while (libdir.find()) {
			libraries.add(ControlFile.libraryName(libdir.group(1)));
		}
		if (control != null && control.moduleLibrary() != null && MODULE_PATHNAME.matcher(sql).find()) {
			libraries.add(control.moduleLibrary());
		}
		return libraries;
	}

}
