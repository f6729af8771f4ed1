package dev.pgext.loader.compute;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.place.FilePlacement;
import dev.pgext.model.postgres.PostgresInstall;

/**
 * Writes the control file of each available extension from the index text, so that
 * Postgres lists every extension the compute may use while only their control files are
 * on disk. Library-only entries have none.
 */
final class ControlFiles {

	private ControlFiles() {
	}

	static void write(PostgresInstall install, Collection<ExtIndexEntry> entries) throws IOException {
		for (ExtIndexEntry entry : entries) {
			if (entry.control() == null) {
				continue;
			}
			String name = entry.name().value() + ".control";
			String path = entry.files()
				.stream()
				.map(ExtFile::path)
				.filter((p) -> p.endsWith("/" + name))
				.findFirst()
				.orElse("share/extension/" + name);
			FilePlacement.writeAtomically(install.resolve(path), entry.control().getBytes(StandardCharsets.UTF_8),
					false);
		}
	}

}
