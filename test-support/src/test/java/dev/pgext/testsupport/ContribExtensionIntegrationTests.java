package dev.pgext.testsupport;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;

import dev.pgext.model.postgres.PostgresInstall;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contrib extensions of a real installation group into the files a release would ship.
 */
class ContribExtensionIntegrationTests {

	@Test
	void anExtensionGroupsItsControlFileScriptsAndLibrary() {
		PostgresInstall install = PostgresInstalls.shared(15);
		ContribExtension hstore = ContribExtension.of(install, "hstore");
		assertThat(hstore.files()).containsKeys("share/extension/hstore.control", "share/extension/hstore--1.4.sql",
				"lib/hstore.so");
		assertThat(hstore.files().keySet())
			.allMatch((p) -> p.startsWith("share/extension/hstore") || p.equals("lib/hstore.so"));
	}

	@Test
	void anExtensionWithoutLibraryShipsOnlyScripts() {
		ContribExtension tcn = ContribExtension.of(PostgresInstalls.shared(15), "earthdistance");
		assertThat(tcn.control().requires()).containsExactly("cube");
		assertThat(tcn.files()).containsKey("lib/earthdistance.so");
	}

	@Test
	void theArtifactIsATarGzOfThePostgresTree() throws Exception {
		ContribExtension pgTrgm = ContribExtension.of(PostgresInstalls.shared(17), "pg_trgm");
		List<String> names = new ArrayList<>();
		try (TarArchiveInputStream tar = new TarArchiveInputStream(
				new GzipCompressorInputStream(new ByteArrayInputStream(pgTrgm.tarGz())))) {
			TarArchiveEntry entry;
			while ((entry = tar.getNextEntry()) != null) {
				names.add(entry.getName());
			}
		}
		assertThat(names).containsExactlyElementsOf(pgTrgm.files().keySet()).contains("lib/pg_trgm.so");
	}

}
