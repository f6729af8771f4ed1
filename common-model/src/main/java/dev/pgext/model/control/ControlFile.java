package dev.pgext.model.control;

import java.util.List;

/**
 * A parsed primary extension control file ({@code <name>.control}), with the server's
 * defaults applied where a parameter is absent.
 *
 * @param name the extension name, from the file name
 * @param defaultVersion {@code default_version}, or {@code null}
 * @param comment {@code comment}, or {@code null}
 * @param directory {@code directory} for the SQL scripts, or {@code null} for
 * {@code share/extension}
 * @param modulePathname {@code module_pathname}, or {@code null}
 * @param schema {@code schema}, or {@code null}
 * @param relocatable {@code relocatable} (default false)
 * @param superuser {@code superuser} (default true)
 * @param trusted {@code trusted} (default false)
 * @param encoding {@code encoding} of the scripts, or {@code null}
 * @param requires {@code requires}: extensions that must be installed first, in order
 * @param noRelocate {@code no_relocate} (PostgreSQL 16+): required extensions whose
 * schema must not move
 */
public record ControlFile(String name, String defaultVersion, String comment, String directory, String modulePathname,
		String schema, boolean relocatable, boolean superuser, boolean trusted, String encoding, List<String> requires,
		List<String> noRelocate) {

	public ControlFile {
		requires = List.copyOf(requires);
		noRelocate = List.copyOf(noRelocate);
	}

	/**
	 * The library {@code module_pathname} names, without {@code $libdir/} and without a
	 * {@code .so} suffix, or {@code null} when there is none.
	 */
	public String moduleLibrary() {
		return libraryName(this.modulePathname);
	}

	/**
	 * The bare library name in a {@code LOAD} argument, {@code module_pathname} or
	 * {@code AS '$libdir/x'} clause: {@code $libdir/hstore} and {@code hstore.so} are
	 * both {@code hstore}. Returns {@code null} for {@code null}.
	 */
	public static String libraryName(String reference) {
		if (reference == null || reference.isBlank()) {
			return null;
		}
		String lib = reference.strip();
		if (lib.startsWith("$libdir/")) {
			lib = lib.substring("$libdir/".length());
		}
		int slash = lib.lastIndexOf('/');
		if (slash >= 0) {
			lib = lib.substring(slash + 1);
		}
		if (lib.endsWith(".so")) {
			lib = lib.substring(0, lib.length() - 3);
		}
		return lib;
	}

}
