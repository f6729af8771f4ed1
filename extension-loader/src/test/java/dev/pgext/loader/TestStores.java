package dev.pgext.loader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.springframework.test.context.DynamicPropertyRegistry;

import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.index.PreloadNeed;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.testsupport.ContribExtension;
import dev.pgext.testsupport.PostgresInstalls;
import dev.pgext.testsupport.TestBucket;
import dev.pgext.testsupport.TreeCopy;

/**
 * Fills an extension store bucket with real contrib extensions of Postgres 15 in the
 * store layout (blobs by digest, one {@code ext_index.json} per scope), as the registry
 * would, and prepares compute installations that lack those extensions.
 */
public final class TestStores {

	public static final PgMajor PG = PgMajor.of(15);

	private static final Set<String> SERVER_PRELOAD = Set.of("pg_stat_statements", "pg_prewarm");

	private TestStores() {
	}

	/** The index entry of a contrib extension, with its files' digests. */
	public static ExtIndexEntry entry(ContribExtension extension) {
		try {
			List<ExtFile> files = new ArrayList<>();
			List<String> libraries = new ArrayList<>();
			String control = null;
			for (Map.Entry<String, Path> file : extension.files().entrySet()) {
				files.add(new ExtFile(file.getKey(), Sha256Digest.of(file.getValue()), Files.size(file.getValue())));
				if (file.getKey().startsWith("lib/")) {
					libraries.add(file.getKey().substring("lib/".length(), file.getKey().length() - ".so".length()));
				}
				if (file.getKey().equals("share/extension/" + extension.name() + ".control")) {
					control = Files.readString(file.getValue());
				}
			}
			String version = extension.control().defaultVersion();
			return new ExtIndexEntry(ExtensionName.of(extension.name()), ExtensionVersion.of(version), version, control,
					files, libraries, extension.control().requires(),
					SERVER_PRELOAD.contains(extension.name()) ? PreloadNeed.SERVER : PreloadNeed.NONE,
					extension.control().trusted(), extension.control().superuser());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The index entry of a contrib module that is a library and no extension
	 * ({@code auto_explain}): its {@code lib/<name>.so} only, no control file.
	 */
	public static ExtIndexEntry libraryEntry(PostgresInstall install, String name) {
		try {
			Path library = install.pkglibdir().resolve(name + ".so");
			return new ExtIndexEntry(ExtensionName.of(name), ExtensionVersion.of(PG.value() + ".0"), null, null,
					List.of(new ExtFile("lib/" + name + ".so", Sha256Digest.of(library), Files.size(library))),
					List.of(name), List.of(), PreloadNeed.NONE, false, true);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Uploads every file of {@code names} as blobs and writes the scope's index naming
	 * them.
	 */
	public static ExtIndex publish(ObjectStore store, Scope scope, List<String> names) {
		return publish(store, scope, PG, names, List.of());
	}

	/**
	 * {@link #publish(ObjectStore, Scope, List)} with the contrib extensions of
	 * {@code major}.
	 */
	public static ExtIndex publish(ObjectStore store, Scope scope, PgMajor major, List<String> names) {
		return publish(store, scope, major, names, List.of());
	}

	/**
	 * Uploads every file of the extensions {@code names} and of the library-only modules
	 * {@code libraries} as blobs and writes the scope's index naming them all.
	 */
	public static ExtIndex publish(ObjectStore store, Scope scope, List<String> names, List<String> libraries) {
		return publish(store, scope, PG, names, libraries);
	}

	/**
	 * Uploads every file of the extensions {@code names} and of the library-only modules
	 * {@code libraries} of {@code major} as blobs and writes the scope's index naming
	 * them all.
	 */
	public static ExtIndex publish(ObjectStore store, Scope scope, PgMajor major, List<String> names,
			List<String> libraries) {
		PostgresInstall shared = PostgresInstalls.shared(major.value());
		List<ExtIndexEntry> entries = new ArrayList<>();
		for (String library : libraries) {
			Path file = shared.pkglibdir().resolve(library + ".so");
			try {
				store.put(StoreLayout.blob(Sha256Digest.of(file)), file, "application/octet-stream");
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			entries.add(libraryEntry(shared, library));
		}
		for (String name : names) {
			ContribExtension extension = ContribExtension.of(shared, name);
			for (Map.Entry<String, Path> file : extension.files().entrySet()) {
				try {
					store.put(StoreLayout.blob(Sha256Digest.of(file.getValue())), file.getValue(),
							"application/octet-stream");
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
			entries.add(entry(extension));
		}
		ExtIndex index = ExtIndex.of(major, scope.tenant(), entries);
		store.put(StoreLayout.extIndex(scope, major), ExtIndexJson.write(index), "application/json");
		return index;
	}

	/**
	 * The per-library preload documents the registry's projection writes beside
	 * {@code index} (of the default platform), by store key: for each library an entry
	 * provides, an index holding the first entry by name that provides it and its
	 * {@code requires} closure.
	 */
	public static Map<String, byte[]> preloadDocuments(ExtIndex index) {
		Scope scope = (index.tenant() != null) ? Scope.tenant(index.tenant()) : Scope.PUBLIC;
		Set<String> libraries = new TreeSet<>();
		index.extensions().forEach((entry) -> libraries.addAll(entry.libraries()));
		Map<String, byte[]> documents = new TreeMap<>();
		for (String library : libraries) {
			ExtIndexEntry provider = index.findByLibrary(library).orElseThrow();
			List<ExtIndexEntry> closure = index.requiresClosure(List.of(provider.name().value()));
			documents.put(StoreLayout.preloadDocument(scope, index.pgMajor(), Platform.DEFAULT, library),
					ExtIndexJson.writeCompact(ExtIndex.of(index.pgMajor(), index.tenant(), closure)));
		}
		return documents;
	}

	/** Writes the {@link #preloadDocuments} of {@code index}, unsigned. */
	public static Map<String, byte[]> putPreloadDocuments(ObjectStore store, ExtIndex index) {
		Map<String, byte[]> documents = preloadDocuments(index);
		documents.forEach((key, content) -> store.put(key, content, "application/json"));
		return documents;
	}

	/**
	 * {@code count} small synthetic extensions named {@code prefix} and a number, each
	 * with a control file, an install script and a library. They share three blobs (the
	 * control text names no library), so a catalog of thousands costs three uploads.
	 */
	public static List<ExtIndexEntry> synthetic(ObjectStore store, String prefix, int count) {
		for (byte[] content : SYNTHETIC_BLOBS) {
			store.put(StoreLayout.blob(Sha256Digest.of(content)), content, "application/octet-stream");
		}
		return syntheticEntries(prefix, count);
	}

	private static final String SYNTHETIC_CONTROL = "comment = 'synthetic extension'\ndefault_version = '1.0'\nrelocatable = true\n";

	private static final List<byte[]> SYNTHETIC_BLOBS = List.of(SYNTHETIC_CONTROL.getBytes(StandardCharsets.UTF_8),
			"SELECT 1;\n".getBytes(StandardCharsets.UTF_8), new byte[1024]);

	/** The entries {@link #synthetic} describes, without uploading their blobs. */
	public static List<ExtIndexEntry> syntheticEntries(String prefix, int count) {
		byte[] controlBytes = SYNTHETIC_BLOBS.get(0);
		byte[] script = SYNTHETIC_BLOBS.get(1);
		byte[] library = SYNTHETIC_BLOBS.get(2);
		List<ExtIndexEntry> entries = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String name = String.format("%s_%05d", prefix, i);
			List<ExtFile> files = List.of(
					new ExtFile("share/extension/" + name + ".control", Sha256Digest.of(controlBytes),
							controlBytes.length),
					new ExtFile("share/extension/" + name + "--1.0.sql", Sha256Digest.of(script), script.length),
					new ExtFile("lib/" + name + ".so", Sha256Digest.of(library), library.length));
			entries.add(new ExtIndexEntry(ExtensionName.of(name), ExtensionVersion.of("1.0"), "1.0", SYNTHETIC_CONTROL,
					files, List.of(name), List.of(), PreloadNeed.NONE, false, true));
		}
		return entries;
	}

	/**
	 * Uploads Debian's arm64 build of {@code first_last_agg} for PostgreSQL 15 (a real
	 * AArch64 library, from test-support) as blobs and writes {@code scope}'s arm64 index
	 * naming it, at the key only an arm64 loader reads.
	 */
	public static ExtIndex arm64Index(ObjectStore store, Scope scope) {
		List<ExtFile> files = new ArrayList<>();
		String control = null;
		for (String path : List.of("share/extension/first_last_agg.control",
				"share/extension/first_last_agg--0.1.4.sql", "lib/first_last_agg.so")) {
			String name = path.substring(path.lastIndexOf('/') + 1);
			byte[] content;
			try (java.io.InputStream in = TestStores.class
				.getResourceAsStream("/dev/pgext/testsupport/arm64/" + name)) {
				content = in.readAllBytes();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			store.put(StoreLayout.blob(Sha256Digest.of(content)), content, "application/octet-stream");
			files.add(new ExtFile(path, Sha256Digest.of(content), content.length));
			if (name.endsWith(".control")) {
				control = new String(content, java.nio.charset.StandardCharsets.UTF_8);
			}
		}
		ExtIndex index = ExtIndex.of(PG, scope.tenant(),
				List.of(new ExtIndexEntry(ExtensionName.of("first_last_agg"), ExtensionVersion.of("0.1.4"), "0.1.4",
						control, files, List.of("first_last_agg"), List.of(), PreloadNeed.NONE, false, true)));
		store.put(StoreLayout.extIndex(scope, PG, dev.pgext.model.Platform.LINUX_ARM64_GNU), ExtIndexJson.write(index),
				"application/json");
		return index;
	}

	/** A private Postgres 15 installation without any file of {@code names}. */
	public static PostgresInstall computeInstall(Path directory, List<String> names) {
		return computeInstall(directory, PG, names, List.of());
	}

	/**
	 * A private Postgres installation of {@code major} without any file of {@code names}.
	 */
	public static PostgresInstall computeInstall(Path directory, PgMajor major, List<String> names) {
		return computeInstall(directory, major, names, List.of());
	}

	/**
	 * A private Postgres 15 installation without any file of the extensions {@code names}
	 * nor the {@code libraries}.
	 */
	public static PostgresInstall computeInstall(Path directory, List<String> names, List<String> libraries) {
		return computeInstall(directory, PG, names, libraries);
	}

	/**
	 * A private Postgres installation of {@code major} without any file of the extensions
	 * {@code names} nor the {@code libraries}.
	 */
	public static PostgresInstall computeInstall(Path directory, PgMajor major, List<String> names,
			List<String> libraries) {
		PostgresInstall install = linkedCopy(major, directory);
		for (String library : libraries) {
			try {
				Files.deleteIfExists(install.pkglibdir().resolve(library + ".so"));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		for (String name : names) {
			for (String storePath : ContribExtension.of(install, name).files().keySet()) {
				try {
					Files.deleteIfExists(install.resolve(storePath));
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
		}
		return install;
	}

	/**
	 * A private installation of {@code major} at {@code directory} whose files are hard
	 * links to those of {@link PostgresInstalls#shared(int)} ({@code cp -al}): a few
	 * hundredths of a second of CPU where a {@link PostgresInstalls#copy(int, Path) copy}
	 * of its 60 MB takes half a second, and seconds of a busy disk. The loader never
	 * writes into a file it finds: it places a file by renaming a new one over the name,
	 * and removing a file removes only the link, so the shared installation stays as
	 * extracted. A test that changes an installation file in place must take a
	 * {@link PostgresInstalls#copy(int, Path) copy} instead. Where links cannot be made
	 * (another file system) the files are copied.
	 */
	static PostgresInstall linkedCopy(PgMajor major, Path directory) {
		PostgresInstall shared = PostgresInstalls.shared(major.value());
		try {
			Files.createDirectories(directory);
			try (var entries = Files.list(directory)) {
				if (entries.findAny().isPresent()) {
					throw new IllegalStateException(directory + " is not empty");
				}
			}
			if (!TreeCopy.link(shared.root(), directory)) {
				FileTrees.delete(directory);
				return PostgresInstalls.copy(major.value(), directory);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return new PostgresInstall(directory);
	}

	/**
	 * An installation tree with only the Debian-style extension and library directories,
	 * for placement alone.
	 */
	public static PostgresInstall emptyInstall(Path directory) {
		try {
			Files.createDirectories(directory.resolve("share/postgresql/extension"));
			Files.createDirectories(directory.resolve("lib/postgresql"));
			return new PostgresInstall(directory);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Whether any file of {@code entry} is in {@code install} (the control file aside).
	 */
	public static boolean anyFilePlaced(PostgresInstall install, ExtIndexEntry entry) {
		return entry.files()
			.stream()
			.filter((file) -> !file.path().endsWith(".control"))
			.anyMatch((file) -> Files.exists(install.resolve(file.path())));
	}

	/**
	 * Points a loader under test at {@code bucket} through {@code endpoint} (the bucket's
	 * own, or a proxy in front of it), with {@code spec} as its spec file and background
	 * prefetch off, so that JIT requests have work to do.
	 */
	public static void loaderProperties(DynamicPropertyRegistry registry, Path spec, URI endpoint, TestBucket bucket) {
		registry.add("pgext.loader.spec-file", spec::toString);
		registry.add("pgext.loader.s3.endpoint", endpoint::toString);
		registry.add("pgext.loader.s3.bucket", bucket::name);
		registry.add("pgext.loader.s3.access-key", bucket::accessKey);
		registry.add("pgext.loader.s3.secret-key", bucket::secretKey);
		registry.add("pgext.loader.prefetch", () -> "false");
	}

	/** Files whose name says a download is still being written. */
	public static List<Path> partFiles(PostgresInstall install) {
		List<Path> parts = new ArrayList<>();
		for (Path dir : List.of(install.extensionDir(), install.pkglibdir())) {
			try (var files = Files.list(dir)) {
				files.filter((p) -> p.getFileName().toString().endsWith(".pgext-part")).forEach(parts::add);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return parts;
	}

}
