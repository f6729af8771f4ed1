package dev.pgext.loader.fetch;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

import dev.pgext.loader.fetch.IndexText.EntrySkim;
import dev.pgext.model.PgMajor;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;

/**
 * The merged, verified indexes of one compute (public, and the tenant's replacing public
 * entries of the same name, as {@link IndexMerge} does) before their entries are bound:
 * names, libraries and requires are known at once, an entry's files only when
 * {@link #entry(String)} or {@link #parseAll()} binds it. A start reads the few entries
 * its preload needs this way and parses the rest after Postgres accepts connections.
 */
public final class SkimmedIndex {

	private final PgMajor pgMajor;

	private final TenantId tenant;

	/** By name, sorted as {@link ExtIndex} sorts its entries. */
	private final Map<String, Located> entries;

	/** Set when the index was parsed whole already (a source without a skim). */
	private final ExtIndex parsed;

	private final IndexText publicText;

	private final IndexText tenantText;

	private record Located(EntrySkim skim, IndexText text) {
	}

	private SkimmedIndex(PgMajor pgMajor, TenantId tenant, Map<String, Located> entries, ExtIndex parsed,
			IndexText publicText, IndexText tenantText) {
		this.pgMajor = pgMajor;
		this.tenant = tenant;
		this.entries = entries;
		this.parsed = parsed;
		this.publicText = publicText;
		this.tenantText = tenantText;
	}

	/**
	 * Merges the verified public index and the tenant's (either may be {@code null}: a
	 * scope that published nothing).
	 */
	public static SkimmedIndex merge(PgMajor major, TenantId tenant, IndexText publicIndex, IndexText tenantIndex) {
		Map<String, Located> entries = new TreeMap<>();
		for (IndexText text : new IndexText[] { publicIndex, tenantIndex }) {
			if (text != null) {
				requireMajor(major, text);
				text.skims().values().forEach((skim) -> entries.put(skim.name(), new Located(skim, text)));
			}
		}
		return new SkimmedIndex(major, tenant, entries, null, publicIndex, tenantIndex);
	}

	/**
	 * The entries of several verified documents of one scope (per-library preload
	 * documents), each name once.
	 * @throws IllegalArgumentException when two documents give one extension different
	 * text (written by projections of different catalogs)
	 */
	public static SkimmedIndex ofDocuments(PgMajor major, TenantId tenant, Collection<IndexText> documents) {
		Map<String, Located> entries = new TreeMap<>();
		for (IndexText text : documents) {
			requireMajor(major, text);
			for (EntrySkim skim : text.skims().values()) {
				Located seen = entries.putIfAbsent(skim.name(), new Located(skim, text));
				if (seen != null && !seen.text().sameText(seen.skim(), text, skim)) {
					throw new IllegalArgumentException("the preload documents disagree on extension " + skim.name());
				}
			}
		}
		return new SkimmedIndex(major, tenant, entries, null, null, null);
	}

	/**
	 * Refuses a document of another major than the compute's: its files were built
	 * against another server and must never be placed.
	 * @throws IllegalArgumentException when {@code text} is for another major
	 */
	private static void requireMajor(PgMajor major, IndexText text) {
		if (!text.pgMajor().equals(major)) {
			throw new IllegalArgumentException(
					"the index is for PostgreSQL " + text.pgMajor() + ", not " + major + " as this compute");
		}
	}

	/** An index parsed whole already. */
	public static SkimmedIndex of(ExtIndex index) {
		Map<String, Located> entries = new TreeMap<>();
		for (ExtIndexEntry entry : index.extensions()) {
			entries.put(entry.name().value(), new Located(new EntrySkim(entry.name().value(), entry.libraries(),
					entry.requires(), entry.control() != null, -1, 0), null));
		}
		return new SkimmedIndex(index.pgMajor(), index.tenant(), entries, index, null, null);
	}

	public PgMajor pgMajor() {
		return this.pgMajor;
	}

	public TenantId tenant() {
		return this.tenant;
	}

	/** How many extensions the indexes hold. */
	public int size() {
		return this.entries.size();
	}

	/** What the skim knows of extension {@code name}. */
	public Optional<EntrySkim> skim(String name) {
		Located located = this.entries.get(name);
		return (located != null) ? Optional.of(located.skim()) : Optional.empty();
	}

	/**
	 * The first extension, in name order, that {@code allowed} accepts and that provides
	 * {@code library} (a bare name), as {@link ExtIndex#findByLibrary} finds it.
	 */
	public Optional<EntrySkim> providing(String library, Predicate<EntrySkim> allowed) {
		for (Located located : this.entries.values()) {
			if (located.skim().libraries().contains(library) && allowed.test(located.skim())) {
				return Optional.of(located.skim());
			}
		}
		return Optional.empty();
	}

	/**
	 * Binds extension {@code name}.
	 * @throws IllegalArgumentException when the index has none or its text is invalid
	 */
	public ExtIndexEntry entry(String name) {
		Located located = this.entries.get(name);
		if (located == null) {
			throw new IllegalArgumentException("ext_index.json has no extension " + name);
		}
		if (this.parsed != null) {
			return this.parsed.find(name).orElseThrow();
		}
		return located.text().entry(name);
	}

	/**
	 * Binds every entry: the whole merged index, each document parsed at once.
	 * @throws IllegalArgumentException when an entry's text is invalid
	 */
	public ExtIndex parseAll() {
		if (this.parsed != null) {
			return this.parsed;
		}
		if (this.publicText == null && this.tenantText == null) {
			// preload documents, or no index at all: their entries one by one
			return ExtIndex.of(this.pgMajor, this.tenant, this.entries.keySet().stream().map(this::entry).toList());
		}
		return IndexMerge.merge(this.pgMajor, this.tenant, (this.publicText != null) ? this.publicText.parse() : null,
				(this.tenantText != null) ? this.tenantText.parse() : null);
	}

}
