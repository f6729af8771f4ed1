package dev.pgext.registry.manifest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.pgext.model.PgMajor;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.registry.projection.ExtIndexDocument;

/**
 * What the store target of one scope, major and platform keeps between its runs: each
 * extension's current entry with the bytes it has in {@code ext_index.json}, its builds
 * (to notice a change that recorded no event), which extensions ship each seed path and
 * provide each library, and what each library's preload document looked up, as of outbox
 * event {@link #watermark()}. A run that continues from that event reloads only the
 * extensions of the distributions named since and learns from {@link #replace} which seed
 * paths they touched. Used by one run at a time (the target's lock).
 */
final class StoreIndexView {

	/**
	 * One extension as the view holds it.
	 *
	 * @param distribution the distribution it belongs to
	 * @param builds how many builds it has in this scope, major and platform, yanked ones
	 * included
	 * @param newestBuild the highest id among them
	 * @param entry its current entry, or {@code null} when no build is current
	 * @param fragment the bytes of {@code entry} in the index, or {@code null}
	 */
	record Extension(String distribution, long builds, long newestBuild, ExtIndexEntry entry, byte[] fragment) {
	}

	private final PgMajor major;

	private final TreeMap<String, Extension> extensions = new TreeMap<>();

	/** Seed path to the names of the current entries that ship it, in name order. */
	private final Map<String, TreeSet<String>> shippers = new HashMap<>();

	/** Library to the names of the current entries that provide it, in name order. */
	private final Map<String, TreeSet<String>> providers = new HashMap<>();

	/**
	 * Extension name to the libraries whose preload document, as last computed, looked it
	 * up (found or not): a change of that name may change those documents.
	 */
	private final Map<String, Set<String>> readers = new HashMap<>();

	/** Library to the names its preload document, as last computed, looked up. */
	private final Map<String, Set<String>> reads = new HashMap<>();

	private long watermark = -1;

	StoreIndexView(PgMajor major) {
		this.major = major;
	}

	long watermark() {
		return this.watermark;
	}

	void watermark(long watermark) {
		this.watermark = watermark;
	}

	/** The names of the extensions that belong to one of {@code distributions}. */
	Set<String> namesOf(Set<String> distributions) {
		Set<String> names = new TreeSet<>();
		this.extensions.forEach((name, extension) -> {
			if (distributions.contains(extension.distribution())) {
				names.add(name);
			}
		});
		return names;
	}

	/**
	 * Replaces what the view holds of {@code names} by {@code extensions} (a name missing
	 * from it has no build any more), adds to {@code touched} every seed path an old or
	 * new entry of theirs ships, and to {@code libraries} every library whose preload
	 * document may change: those an old or new entry provides, and those whose document
	 * looked one of the names up.
	 */
	void replace(Collection<String> names, Map<String, Extension> extensions, Set<String> touched,
			Set<String> libraries) {
		for (String name : names) {
			libraries.addAll(this.readers.getOrDefault(name, Set.of()));
			Extension old = this.extensions.remove(name);
			if (old != null && old.entry() != null) {
				for (String library : old.entry().libraries()) {
					libraries.add(library);
					TreeSet<String> providing = this.providers.get(library);
					if (providing != null) {
						providing.remove(name);
						if (providing.isEmpty()) {
							this.providers.remove(library);
						}
					}
				}
				for (ExtFile file : old.entry().files()) {
					touched.add(file.path());
					TreeSet<String> shipping = this.shippers.get(file.path());
					if (shipping != null) {
						shipping.remove(name);
						if (shipping.isEmpty()) {
							this.shippers.remove(file.path());
						}
					}
				}
			}
			Extension now = extensions.get(name);
			if (now != null) {
				this.extensions.put(name, now);
				if (now.entry() != null) {
					for (String library : now.entry().libraries()) {
						libraries.add(library);
						this.providers.computeIfAbsent(library, (k) -> new TreeSet<>()).add(name);
					}
					for (ExtFile file : now.entry().files()) {
						touched.add(file.path());
						this.shippers.computeIfAbsent(file.path(), (k) -> new TreeSet<>()).add(name);
					}
				}
			}
		}
	}

	/** The view's extension, with its entry's bytes in the index. */
	Extension extension(String distribution, long builds, long newestBuild, ExtIndexEntry entry) {
		return new Extension(distribution, builds, newestBuild, entry,
				(entry != null) ? ExtIndexDocument.element(this.major, entry) : null);
	}

	/** How many builds the view holds and the newest one's id, as {@code count/id}. */
	String builds() {
		long count = 0;
		long newest = 0;
		for (Extension extension : this.extensions.values()) {
			count += extension.builds();
			newest = Math.max(newest, extension.newestBuild());
		}
		return count + "/" + newest;
	}

	/** Whether any build, current or not, exists (then the target has an index). */
	boolean hasBuilds() {
		return !this.extensions.isEmpty();
	}

	/** The bytes of each current entry in the index, in name order. */
	List<byte[]> fragments() {
		List<byte[]> fragments = new ArrayList<>(this.extensions.size());
		this.extensions.values().forEach((extension) -> {
			if (extension.fragment() != null) {
				fragments.add(extension.fragment());
			}
		});
		return fragments;
	}

	/** Every seed path some current entry ships. */
	Set<String> paths() {
		return this.shippers.keySet();
	}

	/**
	 * The file at seed {@code path}: that of the first current entry by name that ships
	 * it (two extensions shipping one path: the first keeps it), or {@code null}.
	 */
	ExtFile file(String path) {
		TreeSet<String> shipping = this.shippers.get(path);
		if (shipping == null || shipping.isEmpty()) {
			return null;
		}
		for (ExtFile file : this.extensions.get(shipping.first()).entry().files()) {
			if (file.path().equals(path)) {
				return file;
			}
		}
		return null;
	}

	/** Every library some current entry provides. */
	Set<String> libraries() {
		return this.providers.keySet();
	}

	/**
	 * The preload document of {@code library}: an index of this view's major and
	 * {@code tenant} holding the first current entry by name that provides it (as
	 * {@code ExtIndex.findByLibrary} finds it in the whole index) and every current entry
	 * its {@code requires} reach, each with its bytes in the whole index; {@code null}
	 * when no current entry provides it. Remembers which names it looked up, so a later
	 * change of one of them names this library ({@link #replace}).
	 */
	byte[] preloadDocument(String library, TenantId tenant) {
		for (String name : this.reads.getOrDefault(library, Set.of())) {
			Set<String> reading = this.readers.get(name);
			if (reading != null) {
				reading.remove(library);
				if (reading.isEmpty()) {
					this.readers.remove(name);
				}
			}
		}
		this.reads.remove(library);
		TreeSet<String> providing = this.providers.get(library);
		if (providing == null || providing.isEmpty()) {
			return null;
		}
		Set<String> looked = new HashSet<>();
		TreeMap<String, byte[]> fragments = new TreeMap<>();
		ArrayDeque<String> todo = new ArrayDeque<>();
		todo.add(providing.first());
		while (!todo.isEmpty()) {
			String name = todo.pop();
			if (!looked.add(name)) {
				continue;
			}
			Extension extension = this.extensions.get(name);
			if (extension != null && extension.entry() != null) {
				fragments.put(name, extension.fragment());
				todo.addAll(extension.entry().requires());
			}
		}
		this.reads.put(library, looked);
		looked.forEach((name) -> this.readers.computeIfAbsent(name, (k) -> new HashSet<>()).add(library));
		return ExtIndexDocument.write(this.major, tenant, fragments.values());
	}

	/** Every extension the view holds, by name. */
	SortedMap<String, Extension> extensions() {
		return this.extensions;
	}

}
