package dev.pgext.importer.run;

/**
 * The one place the importer spells S3 keys, in the storage bucket and in the input
 * location.
 *
 * <pre>
 * storage bucket:
 *   tenants/&lt;tenant&gt;-&lt;shard slug&gt;/timelines/&lt;timeline&gt;/index_part.json
 *   tenants/&lt;tenant&gt;-&lt;shard slug&gt;/timelines/&lt;timeline&gt;/import_manifest.json
 *   tenants/&lt;tenant&gt;-&lt;shard slug&gt;/timelines/&lt;timeline&gt;/layers/&lt;layer name&gt;
 * input location (bucket and prefix of the request):
 *   &lt;prefix&gt;/pgdata/**            the PGDATA
 *   &lt;prefix&gt;/status/pgdata         {"done": true} once the upload is complete
 *   &lt;prefix&gt;/status/&lt;tenant&gt;/&lt;timeline&gt;/shard-&lt;slug&gt;   written by the importer when the shard's import ends
 * </pre>
 */
public final class ImportLayout {

	/** Every storage key of the importer starts with this. */
	public static final String TENANTS = "tenants/";

	public static final String INDEX_PART = "index_part.json";

	private ImportLayout() {
	}

	public static String timelinePrefix(ImportId id) {
		return TENANTS + id.tenantId() + "-" + id.shard().slug() + "/timelines/" + id.timelineId() + "/";
	}

	public static String indexPart(ImportId id) {
		return timelinePrefix(id) + INDEX_PART;
	}

	public static String manifest(ImportId id) {
		return timelinePrefix(id) + "import_manifest.json";
	}

	public static String layer(ImportId id, String layerName) {
		return timelinePrefix(id) + "layers/" + layerName;
	}

	/** The input prefix with exactly one trailing slash. */
	public static String inputPrefix(String prefix) {
		String p = prefix;
		while (p.endsWith("/")) {
			p = p.substring(0, p.length() - 1);
		}
		return p + "/";
	}

	/**
	 * Whether an input location in the storage bucket overlaps the importer's output
	 * there, {@value #TENANTS}: one of the two prefixes holds the other.
	 */
	public static boolean overlapsOutput(String prefix) {
		String input = inputPrefix(prefix);
		return input.startsWith(TENANTS) || TENANTS.startsWith(input);
	}

	public static String pgdataPrefix(String prefix) {
		return inputPrefix(prefix) + "pgdata/";
	}

	public static String pgdataStatus(String prefix) {
		return inputPrefix(prefix) + "status/pgdata";
	}

	/**
	 * The completion status of one import: keyed like the upcall by tenant, timeline and
	 * shard, so imports of different timelines from one prefix never overwrite each
	 * other's outcome.
	 */
	public static String shardStatus(String prefix, ImportId id) {
		return inputPrefix(prefix) + "status/" + id.tenantId() + "/" + id.timelineId() + "/shard-" + id.shard().slug();
	}

}
