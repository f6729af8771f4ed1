package dev.pgext.loader.compute;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import dev.pgext.loader.fetch.IndexText.EntrySkim;
import dev.pgext.loader.fetch.SkimmedIndex;
import dev.pgext.model.control.ControlFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;

/**
 * The extensions one compute may use: the merged index narrowed to the spec's available
 * extensions (all of them when the spec names none). Entries that provide libraries and
 * no extension ({@code auto_explain}) are found by library like the others; a spec that
 * preloads one makes it available without naming it among its extensions.
 *
 * @param index the available extensions
 */
public record ExtensionCatalog(ExtIndex index) {

	public static ExtensionCatalog of(ExtIndex merged, List<String> available) {
		return of(merged, available, List.of());
	}

	/**
	 * The entries of {@code merged} named in {@code available} (all when it is empty),
	 * and the library-only entries providing one of {@code preloadLibraries}.
	 */
	public static ExtensionCatalog of(ExtIndex merged, List<String> available, List<String> preloadLibraries) {
		return of(merged, available, preloadLibraries, false);
	}

	/**
	 * As {@link #of(ExtIndex, List, List)}; with {@code listedOnly} an empty
	 * {@code available} means no extension but the preloaded library-only ones.
	 */
	public static ExtensionCatalog of(ExtIndex merged, List<String> available, List<String> preloadLibraries,
			boolean listedOnly) {
		if ((available == null || available.isEmpty()) && !listedOnly) {
			return new ExtensionCatalog(merged);
		}
		Set<String> names = (available != null) ? Set.copyOf(available) : Set.of();
		List<ExtIndexEntry> allowed = merged.extensions()
			.stream()
			.filter((entry) -> names.contains(entry.name().value())
					|| (isLibraryOnly(entry) && preloadLibraries.stream()
						.anyMatch((library) -> entry.providesLibrary(ControlFile.libraryName(library)))))
			.toList();
		return new ExtensionCatalog(ExtIndex.of(merged.pgMajor(), merged.tenant(), allowed));
	}

	/**
	 * The part of the catalog {@link #of(ExtIndex, List, List, boolean)} would give that
	 * {@code preloadLibraries} need: the extensions providing them and their requires
	 * closure, found from the skim, with only those entries bound. Every other entry
	 * stays unparsed.
	 */
	public static ExtensionCatalog preloadClosure(SkimmedIndex index, List<String> available,
			List<String> preloadLibraries, boolean listedOnly) {
		Set<String> libraries = libraryNames(preloadLibraries);
		return preloadClosure(index, libraries, allowed(available, libraries, listedOnly));
	}

	/**
	 * {@link #preloadClosure} over the entries of per-library preload documents, when it
	 * is what the whole index would give: each document's provider (the first entry of
	 * the scope providing the library) must be available to the compute, since another
	 * provider the whole index might offer instead is in no document. Empty otherwise, or
	 * when a library's document provides it not at all.
	 */
	public static Optional<ExtensionCatalog> exactPreloadClosure(SkimmedIndex documents, List<String> available,
			List<String> preloadLibraries, boolean listedOnly) {
		Set<String> libraries = libraryNames(preloadLibraries);
		Predicate<EntrySkim> allowed = allowed(available, libraries, listedOnly);
		for (String library : libraries) {
			Optional<EntrySkim> provider = documents.providing(library, (skim) -> true);
			if (provider.isEmpty() || !allowed.test(provider.get())) {
				return Optional.empty();
			}
		}
		return Optional.of(preloadClosure(documents, libraries, allowed));
	}

	private static Set<String> libraryNames(List<String> preloadLibraries) {
		Set<String> libraries = new LinkedHashSet<>();
		preloadLibraries.forEach((library) -> libraries.add(ControlFile.libraryName(library)));
		return libraries;
	}

	private static Predicate<EntrySkim> allowed(List<String> available, Set<String> libraries, boolean listedOnly) {
		if ((available == null || available.isEmpty()) && !listedOnly) {
			return (skim) -> true;
		}
		Set<String> names = (available != null) ? Set.copyOf(available) : Set.of();
		return (skim) -> names.contains(skim.name())
				|| (skim.libraryOnly() && skim.libraries().stream().anyMatch(libraries::contains));
	}

	private static ExtensionCatalog preloadClosure(SkimmedIndex index, Set<String> libraries,
			Predicate<EntrySkim> allowed) {
		Set<String> needed = new LinkedHashSet<>();
		Deque<String> todo = new ArrayDeque<>();
		for (String library : libraries) {
			index.providing(library, allowed).ifPresent((owner) -> todo.add(owner.name()));
		}
		while (!todo.isEmpty()) {
			String name = todo.pop();
			Optional<EntrySkim> skim = index.skim(name).filter(allowed);
			if (skim.isPresent() && needed.add(name)) {
				todo.addAll(skim.get().requires());
			}
		}
		List<ExtIndexEntry> entries = needed.stream().map(index::entry).toList();
		return new ExtensionCatalog(ExtIndex.of(index.pgMajor(), index.tenant(), entries));
	}

	/** Whether {@code entry} provides libraries and no extension (no control file). */
	public static boolean isLibraryOnly(ExtIndexEntry entry) {
		return entry.control() == null && !entry.libraries().isEmpty();
	}

	public List<ExtIndexEntry> extensions() {
		return this.index.extensions();
	}

	/**
	 * The extension that owns what Postgres asked for: a library ({@code hstore},
	 * {@code hstore.so}, {@code $libdir/hstore}), or else an extension name, a file name
	 * or a script directory.
	 */
	public Optional<ExtIndexEntry> owner(String filename, boolean isLibrary) {
		if (isLibrary) {
			return this.index.findByLibrary(filename);
		}
		String last = filename.substring(filename.lastIndexOf('/') + 1);
		return this.index.find(filename).or(() -> this.index.findByFileName(last)).or(() -> this.index.find(last));
	}

	/** {@code entry} and everything it requires, dependencies first. */
	public List<ExtIndexEntry> closure(ExtIndexEntry entry) {
		return this.index.requiresClosure(List.of(entry.name().value()));
	}

	/**
	 * The extensions providing {@code libraries}, with their requires closure,
	 * dependencies first.
	 */
	public List<ExtIndexEntry> forLibraries(List<String> libraries) {
		Map<String, ExtIndexEntry> owners = new LinkedHashMap<>();
		for (String library : libraries) {
			this.index.findByLibrary(library).ifPresent((entry) -> owners.putIfAbsent(entry.name().value(), entry));
		}
		return this.index.requiresClosure(new ArrayList<>(owners.keySet()));
	}

}
