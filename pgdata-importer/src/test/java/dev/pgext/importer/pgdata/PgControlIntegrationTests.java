package dev.pgext.importer.pgdata;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.pgext.importer.FreshClusters;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The control file and relation maps of fresh clusters made by real {@code initdb} of
 * every supported major ({@link FreshClusters}) are accepted, and their facts read right.
 */
class PgControlIntegrationTests {

	private static final int[] MAJORS = { 14, 16, 17, 18 };

	/** The four {@code initdb} runs go side by side; each test waits for its own. */
	@BeforeAll
	static void initdbEveryMajor() {
		for (int major : MAJORS) {
			FreshClusters.start(major);
		}
	}

	@ParameterizedTest
	@ValueSource(ints = { 14, 16, 17, 18 })
	void controlFilesAndRelationMapsOfEachMajorAreRead(int major) throws Exception {
		Path pgdata = FreshClusters.of(major);
		PgControl control = PgControl.parse(Files.readAllBytes(pgdata.resolve("global/pg_control")));
		assertThat(control.pgMajor()).isEqualTo(major);
		assertThat(control.state()).isEqualTo(PgControl.STATE_SHUT_DOWN);
		assertThat(control.segmentBlocks()).isEqualTo(131072);
		assertThat(control.checkpointLsn()).isEqualTo(control.redoLsn()).isPositive();
		// PostgreSQL 18's initdb turns data checksums on by default
		assertThat(control.dataChecksums()).isEqualTo(major >= 18);
		RelMapFile.verify("global/pg_filenode.map", Files.readAllBytes(pgdata.resolve("global/pg_filenode.map")),
				major);
		RelMapFile.verify("base/1/pg_filenode.map", Files.readAllBytes(pgdata.resolve("base/1/pg_filenode.map")),
				major);
		PageVerifier verifier = new PageVerifier(control.checkpointLsn(), control.dataChecksums());
		byte[] pgClass = Files.readAllBytes(pgdata.resolve("base/1/1259"));
		for (int block = 0; block < pgClass.length / 8192; block++) {
			verifier.verify(pgClass, block * 8192, block, "base/1/1259 block " + block);
		}
	}

}
