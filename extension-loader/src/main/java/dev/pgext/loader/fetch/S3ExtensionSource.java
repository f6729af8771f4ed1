package dev.pgext.loader.fetch;

import java.io.InputStream;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.model.store.ObjectStoreException;

/**
 * Reads the extension store bucket directly: the public and the tenant's {@code ext_index.json}
 * of this loader's platform ({@link StoreLayout#extIndex(Scope, PgMajor, Platform)}: no other
 * platform's index is ever read), and files from {@code blobs/sha256/<hex>}.
 */
public final class S3ExtensionSource implements ExtensionSource {

	private final ObjectStore store;

	private final Platform platform;

	/** A source of the default platform's builds. */
	public S3ExtensionSource(ObjectStore store) {
		this(store, Platform.DEFAULT);
	}

	/** A source of {@code platform}'s builds. */
	public S3ExtensionSource(ObjectStore store, Platform platform) {
		this.store = store;
		this.platform = platform;
	}

	@Override
	public ExtIndex index(PgMajor major, TenantId tenant) {
		ExtIndex publicIndex = read(StoreLayout.extIndex(Scope.PUBLIC, major, this.platform));
		ExtIndex tenantIndex = (tenant != null)
				? read(StoreLayout.extIndex(Scope.tenant(tenant), major, this.platform)) : null;
		return IndexMerge.merge(major, tenant, publicIndex, tenantIndex);
	}

	private ExtIndex read(String key) {
		try {
			// a scope that has published nothing yet has no index: it offers no extension
			return this.store.getBytes(key).map(ExtIndexJson::read).orElse(null);
		}
		catch (ObjectStoreException ex) {
			throw new FetchException(FetchException.Reason.UNAVAILABLE,
					"reading " + key + " failed: " + ex.getMessage(), ex);
		}
		catch (IllegalArgumentException ex) {
			throw new FetchException(FetchException.Reason.MISSING, key + ": " + ex.getMessage(), ex);
		}
	}

	@Override
	public InputStream open(Sha256Digest digest) {
		String key = StoreLayout.blob(digest);
		try {
			return this.store.get(key)
				.orElseThrow(() -> new FetchException(FetchException.Reason.MISSING, "the store has no " + key));
		}
		catch (ObjectStoreException ex) {
			throw new FetchException(FetchException.Reason.UNAVAILABLE, ex.getMessage(), ex);
		}
	}

	@Override
	public String name() {
		return "s3";
	}

}
