package dev.pgext.model.index;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.pgext.model.PgMajor;
import dev.pgext.model.TenantId;
import dev.pgext.model.control.ControlFile;

/**
 * The content of one {@code ext_index.json}: every extension available in one scope for
 * one Postgres major. Entries are kept sorted by name, so equal indexes serialize to
 * equal bytes.
 *
 * @param format the format version, {@value #FORMAT}
 * @param pgMajor the Postgres major the files are built for
 * @param tenant the tenant of a private scope, or {@code null} for the public scope
 * @param extensions the extensions, sorted by name
 */
public record ExtIndex(int format, @JsonProperty("pg_major") PgMajor pgMajor, TenantId tenant,
		List<ExtIndexEntry> extensions) {

	/** The format version this code writes and reads. */
	public static final int FORMAT = 1;

	public ExtIndex {
		if (format != FORMAT) {
			throw new IllegalArgumentException(
					"ext_index.json format " + format + " is not supported (expected " + FORMAT + ")");
		}
		if (pgMajor == null) {
			throw new IllegalArgumentException("ext_index.json has no pg_major");
		}
		extensions = (extensions != null)
				? extensions.stream().sorted(Comparator.comparing(ExtIndexEntry::name)).toList() : List.of();
		Set<String> seen = new LinkedHashSet<>();
		for (ExtIndexEntry entry : extensions) {
			if (!seen.add(entry.name().value())) {
				throw new IllegalArgumentException("ext_index.json names extension " + entry.name() + " twice");
			}
		}
	}

	public static ExtIndex of(PgMajor pgMajor, TenantId tenant, List<ExtIndexEntry> extensions) {
		return new ExtIndex(FORMAT, pgMajor, tenant, extensions);
	}

	public Optional<ExtIndexEntry> find(String name) {
		return this.extensions.stream().filter((e) -> e.name().value().equals(name)).findFirst();
	}

	/**
	 * The extension that provides library {@code reference} ({@code $libdir/x},
	 * {@code x.so} or {@code x}).
	 */
	public Optional<ExtIndexEntry> findByLibrary(String reference) {
		String library = ControlFile.libraryName(reference);
		return this.extensions.stream().filter((e) -> e.providesLibrary(library)).findFirst();
	}

	/** The extension that ships a file named {@code fileName} (last path segment). */
	public Optional<ExtIndexEntry> findByFileName(String fileName) {
		return this.extensions.stream().filter((e) -> e.hasFileNamed(fileName)).findFirst();
	}

	/**
	 * {@code names} and everything they require, transitively, dependencies first. Names
	 * not in this index are left out; use {@link #missingRequirements(List)} to find
	 * them.
	 */
	public List<ExtIndexEntry> requiresClosure(List<String> names) {
		List<ExtIndexEntry> ordered = new ArrayList<>();
		Set<String> done = new LinkedHashSet<>();
		for (String name : names) {
			visit(name, done, new ArrayDeque<>(), ordered);
		}
		return ordered;
	}

	private void visit(String name, Set<String> done, Deque<String> path, List<ExtIndexEntry> ordered) {
		if (done.contains(name) || path.contains(name)) {
			return;
		}
		Optional<ExtIndexEntry> entry = find(name);
		if (entry.isEmpty()) {
			return;
		}
		path.push(name);
		for (String required : entry.get().requires()) {
			visit(required, done, path, ordered);
		}
		path.pop();
		done.add(name);
		ordered.add(entry.get());
	}

	/**
	 * Names in the {@code requires} closure of {@code names} that this index does not
	 * have.
	 */
	public List<String> missingRequirements(List<String> names) {
		Set<String> missing = new LinkedHashSet<>();
		Deque<String> todo = new ArrayDeque<>(names);
		Set<String> seen = new LinkedHashSet<>();
		while (!todo.isEmpty()) {
			String name = todo.pop();
			if (!seen.add(name)) {
				continue;
			}
			Optional<ExtIndexEntry> entry = find(name);
			if (entry.isEmpty()) {
				missing.add(name);
			}
			else {
				todo.addAll(entry.get().requires());
			}
		}
		return List.copyOf(missing);
	}

}
