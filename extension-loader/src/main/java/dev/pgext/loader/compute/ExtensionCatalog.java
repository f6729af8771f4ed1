package dev.pgext.loader.compute;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
