package dev.pgext.loader.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.Optional;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtIndex;

/**
 * Where a compute's extensions come from: its merged index and the content of each file.
 */
public interface ExtensionSource {

	/**
	 * The extensions a tenant's computes of {@code major} may see: the public ones, with
	 * the tenant's own replacing public ones of the same name.
	 * @param tenant the tenant, or {@code null} for public extensions only
	 */
	ExtIndex index(PgMajor major, TenantId tenant);

	/**
	 * The same indexes, verified, with their entries skimmed but not bound: what a start
	 * reads before Postgres launches. A source that cannot skim parses them whole.
	 * @param tenant the tenant, or {@code null} for public extensions only
	 */
	default SkimmedIndex skimmedIndex(PgMajor major, TenantId tenant) {
		return SkimmedIndex.of(index(major, tenant));
	}

	/**
	 * As {@link #skimmedIndex(PgMajor, TenantId)}, telling {@code early} of each entry as
	 * it streams in, before the document is verified (a source that cannot skim tells
	 * nothing).
	 */
	default SkimmedIndex skimmedIndex(PgMajor major, TenantId tenant, IndexText.EntryListener early) {
		return skimmedIndex(major, tenant);
	}

	/**
	 * The entries the preload of {@code libraries} (bare names) needs, read and verified
	 * from the registry's per-library preload documents instead of the whole indexes: the
	 * entry providing each library and its {@code requires} closure. Empty when they
	 * cannot settle the preload (this source has none, one is missing or refused, or they
	 * disagree), with the reason logged: the caller then reads the whole indexes. Nothing
	 * in a refused document is ever returned.
	 * @param tenant the tenant, or {@code null} for public extensions only
	 */
	default Optional<SkimmedIndex> preloadIndex(PgMajor major, TenantId tenant, Collection<String> libraries) {
		return Optional.empty();
	}

	/**
	 * Opens the content of a file by digest. The caller verifies the digest.
	 * @throws FetchException when the content is missing or the source fails for good
	 * @throws IOException on a network error worth another attempt
	 */
	InputStream open(Sha256Digest digest) throws IOException;

	/** A short name for logs and metrics ({@code s3}, {@code registry}). */
	String name();

}
