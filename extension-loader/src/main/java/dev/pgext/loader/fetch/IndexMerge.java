package dev.pgext.loader.fetch;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.pgext.model.PgMajor;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;

/**
 * Merges the public index with a tenant's: a tenant's extension replaces the public one
 * of the same name, as the registry's compute manifest does.
 */
public final class IndexMerge {

	private IndexMerge() {
	}

	public static ExtIndex merge(PgMajor major, TenantId tenant, ExtIndex publicIndex, ExtIndex tenantIndex) {
		Map<String, ExtIndexEntry> entries = new LinkedHashMap<>();
		if (publicIndex != null) {
			publicIndex.extensions().forEach((entry) -> entries.put(entry.name().value(), entry));
		}
		if (tenantIndex != null) {
			tenantIndex.extensions().forEach((entry) -> entries.put(entry.name().value(), entry));
		}
		return ExtIndex.of(major, tenant, entries.values().stream().toList());
	}

}
