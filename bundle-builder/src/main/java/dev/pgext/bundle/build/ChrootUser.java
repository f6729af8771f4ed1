package dev.pgext.bundle.build;

import java.util.regex.Pattern;

/**
 * A user the bundle's programs may run as: it gets an {@code /etc/passwd} and
 * {@code /etc/group} entry in the bundle, because initdb looks up its own uid and aborts
 * when it has no name.
 *
 * @param name the user (and group) name
 * @param uid the uid, not 0 (Postgres refuses to run as root)
 * @param gid the gid
 */
public record ChrootUser(String name, int uid, int gid) {

	private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");

	/** The user verify runs the programs as. */
	public static final ChrootUser NOBODY = new ChrootUser("nobody", 65534, 65534);

	public ChrootUser {
		if (name == null || !NAME.matcher(name).matches()) {
			throw new IllegalArgumentException("'" + name + "' is not a user name (lower case, at most 32 characters)");
		}
		if (uid <= 0 || gid < 0) {
			throw new IllegalArgumentException(
					"user " + name + ": uid must be positive (Postgres refuses root) and " + "gid not negative");
		}
	}

	/** Parses {@code name:uid:gid}. */
	public static ChrootUser parse(String text) {
		String[] parts = (text != null) ? text.split(":", -1) : new String[0];
		if (parts.length != 3) {
			throw new IllegalArgumentException("'" + text + "' is not name:uid:gid");
		}
		try {
			return new ChrootUser(parts[0], Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("'" + text + "' is not name:uid:gid with numeric ids");
		}
	}

}
