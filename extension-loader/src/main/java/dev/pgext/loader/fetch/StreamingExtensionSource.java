package dev.pgext.loader.fetch;

import dev.pgext.model.PgMajor;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtIndex;

/**
 * A source that streams its indexes: it skims them as they arrive and parses an entry
 * whole only when asked, so its whole index is the skimmed one parsed to the end.
 */
public interface StreamingExtensionSource extends ExtensionSource {

	@Override
	default ExtIndex index(PgMajor major, TenantId tenant) {
		return skimmedIndex(major, tenant).parseAll();
	}

	@Override
	default SkimmedIndex skimmedIndex(PgMajor major, TenantId tenant) {
		return skimmedIndex(major, tenant, IndexText.EntryListener.NONE);
	}

	@Override
	SkimmedIndex skimmedIndex(PgMajor major, TenantId tenant, IndexText.EntryListener early);

}
