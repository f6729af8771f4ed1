package dev.pgext.importer.pgdata;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.pgext.importer.PgdataFixture;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.testsupport.PostgresCluster;
import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The control file and relation maps of fresh clusters made by real {@code initdb} of
 * every supported major are accepted, and their facts read right.
 */
class PgControlIntegrationTests {

	private static final int[] MAJORS = { 14, 16, 17, 18 };

	private static final Map<Integer, Future<Path>> CLUSTERS = new HashMap<>();

	private static ExecutorService initdb;

	/** The four {@code initdb} runs go side by side; each test waits for its own. */
	@BeforeAll
	static void initdbEveryMajor() {
		initdb = Executors.newFixedThreadPool(MAJORS.length);
		for (int major : MAJORS) {
			CLUSTERS.put(major, initdb.submit(() -> {
				Path pgdata = Path.of("target", "pgcontrol-" + major).toAbsolutePath();
				PgdataFixture.deleteTree(pgdata);
				PostgresInstall install = PostgresInstalls.shared(major);
				PostgresCluster.run(List.of(install.binary("initdb").toString(), "-D", pgdata.toString(), "-U",
						"postgres", "--auth=trust", "--no-sync"), Duration.ofMinutes(2));
				return pgdata;
			}));
		}
	}

	@AfterAll
	static void stopInitdb() {
		initdb.shutdownNow();
	}

	@ParameterizedTest
	@ValueSource(ints = { 14, 16, 17, 18 })
	void controlFilesAndRelationMapsOfEachMajorAreRead(int major) throws Exception {
		Path pgdata = CLUSTERS.get(major).get(2, TimeUnit.MINUTES);
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
		PgdataFixture.deleteTree(pgdata);
	}

}
