package dev.pgext.model;

import java.util.regex.Pattern;

/**
 * The keys of the extension store: the one place that knows how keys are spelled. Every
 * service builds and parses keys here, so the registry that writes and the loader that
 * reads can never disagree.
 *
 * <pre>
 * blobs/sha256/&lt;hex&gt;                          immutable content, written once
 * [&lt;tenant&gt;/]&lt;pg&gt;/share/extension/&lt;file&gt;      seed-000 layout: current control and SQL files
 * [&lt;tenant&gt;/]&lt;pg&gt;/lib/&lt;file&gt;                  seed-000 layout: current libraries
 * [&lt;tenant&gt;/]&lt;pg&gt;/ext_index.json              the index the loader reads
 * [&lt;tenant&gt;/]&lt;pg&gt;/preload/&lt;library&gt;.json    per library: the entries its preload needs
 * [&lt;tenant&gt;/]&lt;pg&gt;/&lt;platform&gt;/...            the same for a platform other than linux-amd64-gnu
 * bundles/sha256/&lt;hex&gt;.tar.zst               Postgres bundles
 * mirror/&lt;file&gt;                             static mirror of the public registry
 * </pre> The unprefixed keys are those of {@link Platform#DEFAULT}
 * ({@code linux-amd64-gnu}), so stores and loaders written before platforms existed keep
 * their meaning; every other platform has a segment of its own below the major.
 */
public final class StoreLayout {

	/** File name of the per-scope, per-major index. */
	public static final String EXT_INDEX = "ext_index.json";

	private static final String BLOBS = "blobs/sha256/";

	private static final String BUNDLES = "bundles/sha256/";

	/** Prefix of the static mirror of the public registry (every key below it). */
	public static final String MIRROR = "mirror/";

	/** Longest key, in UTF-8 bytes, that S3 stores. */
	public static final int MAX_KEY_BYTES = 1024;

	/**
	 * Longest key segment (between slashes), in UTF-8 bytes: what a file system under an
	 * S3 server allows.
	 */
	public static final int MAX_SEGMENT_BYTES = 255;

	/**
	 * Longest installation path, in UTF-8 bytes: its seed-layout key, under the longest
	 * scope prefix ({@code <64-character tenant>/<pg>/<platform>/}), must still fit
	 * {@link #MAX_KEY_BYTES}.
	 */
	public static final int MAX_INSTALL_PATH_BYTES = MAX_KEY_BYTES - (64 + 1 + 3 + 1 + Platform.MAX_LENGTH + 1);

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
	 * The seed-layout key of one installation file, such as
	 * {@code share/extension/hstore.control} or {@code lib/hstore.so}.
	 */
	public static String seedFile(Scope scope, PgMajor major, String relativePath) {
		return scopePrefix(scope, major) + checkInstallPath(relativePath);
	}

	/** {@code [<tenant>/]<pg>/ext_index.json}. */
	public static String extIndex(Scope scope, PgMajor major) {
		return scopePrefix(scope, major) + EXT_INDEX;
	}

	/**
	 * {@code [<tenant>/]<pg>/} for {@link Platform#DEFAULT},
	 * {@code [<tenant>/]<pg>/<platform>/} for any other: the prefix holding one scope's
	 * files for one major and platform.
	 */
	public static String platformPrefix(Scope scope, PgMajor major, Platform platform) {
		return scopePrefix(scope, major) + (platform.isDefault() ? "" : platform + "/");
	}

	/** The seed-layout key of one installation file of one platform. */
	public static String seedFile(Scope scope, PgMajor major, Platform platform, String relativePath) {
		return platformPrefix(scope, major, platform) + checkInstallPath(relativePath);
	}

	/** The {@code ext_index.json} key of one scope, major and platform. */
	public static String extIndex(Scope scope, PgMajor major, Platform platform) {
		return platformPrefix(scope, major, platform) + EXT_INDEX;
	}

	/**
	 * Folder, under a platform prefix, of the per-library preload documents: each a small
	 * {@code ext_index.json} holding the entry providing one library and what it
	 * requires.
	 */
	public static final String PRELOAD = "preload/";

	private static final Pattern LIBRARY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]{0,199}");

	/**
	 * Whether {@code library} (a bare name) can name a preload document: letters, digits,
	 * {@code _ . + -}, not starting with a dot or dash, at most 200 characters.
	 */
	public static boolean isPreloadLibrary(String library) {
		return library != null && LIBRARY.matcher(library).matches();
	}

	/**
	 * {@code [<tenant>/]<pg>/[<platform>/]preload/<library>.json}: the preload document
	 * of one library (a bare name, {@link #isPreloadLibrary}) in one scope, major and
	 * platform.
	 */
	public static String preloadDocument(Scope scope, PgMajor major, Platform platform, String library) {
		if (!isPreloadLibrary(library)) {
			throw new IllegalArgumentException("'" + library + "' cannot name a preload document");
		}
		return platformPrefix(scope, major, platform) + PRELOAD + library + ".json";
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
	 * Checks that {@code path} is a relative path inside {@code share/} or {@code lib/}
	 * with no empty, {@code .} or {@code ..} segment, and returns it.
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
		String problem = keyRulesProblem(path, MAX_INSTALL_PATH_BYTES);
		return (problem != null) ? "path " + problem : null;
	}

	/**
	 * What S3 (or the file system under an S3-compatible server) would refuse in
	 * {@code key}, or {@code null}: more than {@link #MAX_KEY_BYTES} UTF-8 bytes, a
	 * segment of more than {@link #MAX_SEGMENT_BYTES}, a control character, or text that
	 * is not valid Unicode (an unpaired surrogate, or the replacement character a decoder
	 * leaves for bytes that were not UTF-8). Checking this before writing turns a store
	 * refusal, which no retry can fix, into a clear answer to the caller.
	 */
	public static String keyProblem(String key) {
		if (key == null || key.isEmpty()) {
			return "key is empty";
		}
		String problem = keyRulesProblem(key, MAX_KEY_BYTES);
		return (problem != null) ? "key " + problem : null;
	}

	private static String keyRulesProblem(String key, int maxBytes) {
		for (int i = 0; i < key.length(); i++) {
			char c = key.charAt(i);
			if (Character.isISOControl(c)) {
				return String.format("contains the control character U+%04X", (int) c);
			}
			if (c == '\uFFFD') {
				return "is not valid UTF-8 (it holds a replacement character)";
			}
			if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
				i++;
			}
			else if (Character.isSurrogate(c)) {
				return "is not valid UTF-8 (it holds an unpaired surrogate)";
			}
		}
		int bytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
		if (bytes > maxBytes) {
			return "is " + bytes + " bytes long in UTF-8; at most " + maxBytes + " are allowed";
		}
		for (String segment : key.split("/", -1)) {
			int segmentBytes = segment.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
			if (segmentBytes > MAX_SEGMENT_BYTES) {
				return "has a name of " + segmentBytes + " bytes in UTF-8 ('"
						+ segment.substring(0, Math.min(segment.length(), 40)) + "...'); at most " + MAX_SEGMENT_BYTES
						+ " are allowed";
			}
		}
		return null;
	}

}
