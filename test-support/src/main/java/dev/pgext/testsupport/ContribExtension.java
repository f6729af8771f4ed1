package dev.pgext.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import dev.pgext.model.control.ControlFile;
import dev.pgext.model.control.ControlFileParser;
import dev.pgext.model.control.LibraryReferences;
import dev.pgext.model.postgres.PostgresInstall;

/**
 * The files of one contrib extension of a real Postgres installation, as a release would
 * ship them: its control file, its SQL scripts and the libraries they load, keyed by
 * store path ({@code share/extension/...}, {@code lib/...}). Real artifacts for registry,
 * loader and local-stack tests.
 *
 * @param name the extension name
 * @param control the parsed control file
 * @param files store path to the file in the installation, sorted by store path
 */
public record ContribExtension(String name, ControlFile control, Map<String, Path> files) {

	/** The files of extension {@code name} in {@code install}. */
	public static ContribExtension of(PostgresInstall install, String name) {
		try {
			Path controlFile = install.extensionDir().resolve(name + ".control");
			ControlFile control = ControlFileParser.parse(controlFile.getFileName().toString(),
					Files.readString(controlFile));
			Map<String, Path> files = new TreeMap<>();
			files.put("share/extension/" + name + ".control", controlFile);
			Set<String> libraries = new TreeSet<>();
			if (control.moduleLibrary() != null) {
				libraries.add(control.moduleLibrary());
			}
			try (Stream<Path> scripts = Files.list(install.extensionDir())) {
				for (Path script : scripts.filter((p) -> p.getFileName().toString().startsWith(name + "--")).toList()) {
					files.put("share/extension/" + script.getFileName(), script);
					if (script.getFileName().toString().endsWith(".sql")) {
						libraries.addAll(LibraryReferences.in(Files.readString(script), control));
					}
				}
			}
			for (String library : libraries) {
				Path so = install.pkglibdir().resolve(library + ".so");
				if (Files.isRegularFile(so)) {
					files.put("lib/" + library + ".so", so);
				}
			}
			return new ContribExtension(name, control, files);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("reading contrib extension " + name + " failed", ex);
		}
	}

	/**
	 * The files as a {@code .tar.gz} artifact holding the Postgres tree
	 * ({@code share/...}, {@code lib/...}).
	 */
	public byte[] tarGz() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		writeTarGz(bytes);
		return bytes.toByteArray();
	}

	/** Writes {@link #tarGz()} to {@code out}. */
	public void writeTarGz(OutputStream out) {
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
			tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
			for (Map.Entry<String, Path> file : this.files.entrySet()) {
				TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
				entry.setSize(Files.size(file.getValue()));
				entry.setMode(file.getKey().startsWith("lib/") ? 0755 : 0644);
				tar.putArchiveEntry(entry);
				Files.copy(file.getValue(), tar);
				tar.closeArchiveEntry();
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
