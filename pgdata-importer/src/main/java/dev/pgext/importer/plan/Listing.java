package dev.pgext.importer.plan;

import java.util.function.Consumer;

/**
 * The files of a frozen manifest, walked in path order one at a time: whoever walks them
 * decides what to keep, the listing itself is never held in memory.
 */
@FunctionalInterface
public interface Listing {

	/** Calls {@code action} for every listed file, in path order. */
	void forEach(Consumer<ManifestEntry> action);

}
