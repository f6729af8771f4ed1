package dev.pgext.model;

/**
 * The keys of the extension store: the one place that knows how keys are spelled. Every
 * service builds and parses keys here, so the registry that writes and the loader that reads
 * can never disagree.
 *
 * <pre>
 * blobs/sha256/&lt;hex&gt;                          immutable content, written once
 * [&lt;tenant&gt;/]&lt;pg&gt;/share/extension/&lt;file&gt;      seed-000 layout: current control and SQL files
 * [&lt;tenant&gt;/]&lt;pg&gt;/lib/&lt;file&gt;                  seed-000 layout: current libraries
 * [&lt;tenant&gt;/]&lt;pg&gt;/ext_index.json              the index the loader reads
 * bundles/sha256/&lt;hex&gt;.tar.zst               Postgres bundles
 * mirror/&lt;file&gt;                             static mirror of the public registry
 * </pre>
 */
public final class StoreLayout {

	/** File name of the per-scope, per-major index. */
	public static final String EXT_INDEX = "ext_index.json";

	private static final String BLOBS = "blobs/sha256/";

	private static final String BUNDLES = "bundles/sha256/";

	/** Prefix of the static mirror of the public registry (every key below it). */
	public static final String MIRROR = "mirror/";

	private StoreLayout() {
	}

	/** {@code blobs/sha256/<hex>}. */
	public static String blob(Sha256Digest digest) {
		return BLOBS + digest.hex();
	}

	/** The digest named by a blob key, or an error when {@code key} is not a blob key. */
	public static Sha256Digest blobDigest(String key) {
		if (key == null || !key.startsWith(BLOBS)) {
			throw new IllegalArgumentException("'" + key + "' is not a blob key");
		}
		return new Sha256Digest(key.substring(BLOBS.length()));
	}

	/** {@code [<tenant>/]<pg>/}: the prefix holding one scope's files for one major. */
	public static String scopePrefix(Scope scope, PgMajor major) {
		return scope.isPublic() ? major + "/" : scope.tenant().value() + "/" + major + "/";
	}

	/**
	 * The seed-layout key of one installation file, such as {@code share/extension/hstore.control}
	 * or {@code lib/hstore.so}.
	 */
	public static String seedFile(Scope scope, PgMajor major, String relativePath) {
		return scopePrefix(scope, major) + checkInstallPath(relativePath);
	}

	/** {@code [<tenant>/]<pg>/ext_index.json}. */
	public static String extIndex(Scope scope, PgMajor major) {
		return scopePrefix(scope, major) + EXT_INDEX;
	}

	/** {@code bundles/sha256/<hex>.tar.zst}. */
	public static String bundle(Sha256Digest digest) {
		return BUNDLES + digest.hex() + ".tar.zst";
	}

	/**
	 * {@code mirror/<path>}: one file of the static mirror, such as {@code index.json}.
	 * The path is relative, with no empty, {@code .} or {@code ..} segment.
	 */
	public static String mirror(String relativePath) {
		if (relativePath == null || relativePath.isEmpty() || relativePath.startsWith("/")
				|| relativePath.endsWith("/")) {
			throw new IllegalArgumentException("'" + relativePath + "' is not a relative mirror path");
		}
		for (String segment : relativePath.split("/", -1)) {
			if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
				throw new IllegalArgumentException("'" + relativePath + "' is not a relative mirror path");
			}
		}
		return MIRROR + relativePath;
	}

	/**
	 * Checks that {@code path} is a relative path inside {@code share/} or {@code lib/} with no
	 * empty, {@code .} or {@code ..} segment, and returns it.
	 */
	public static String checkInstallPath(String path) {
		String problem = installPathProblem(path);
		if (problem != null) {
			throw new IllegalArgumentException("'" + path + "': " + problem);
		}
		return path;
	}

	/** What is wrong with {@code path} as an installation file path, or {@code null}. */
	public static String installPathProblem(String path) {
		if (path == null || path.isEmpty()) {
			return "path is empty";
		}
		if (path.startsWith("/")) {
			return "path is absolute";
		}
		if (path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0) {
			return "path contains a backslash or NUL";
		}
		for (String segment : path.split("/", -1)) {
			if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
				return "path has an empty, '.' or '..' segment";
			}
		}
		if (!(path.startsWith("share/") || path.startsWith("lib/"))) {
			return "path is outside share/ and lib/";
		}
		return null;
	}

}
