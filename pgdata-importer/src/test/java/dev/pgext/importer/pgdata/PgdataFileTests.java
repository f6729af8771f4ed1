package dev.pgext.importer.pgdata;

import org.junit.jupiter.api.Test;

import dev.pgext.importer.keyspace.Keys;
import dev.pgext.importer.keyspace.Keys.SlruKind;
import dev.pgext.importer.pgdata.PgdataFile.RelSegment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The file-name grammar of a PGDATA: every file maps to keys, is skipped for a stated
 * reason, or fails the import.
 */
class PgdataFileTests {

	@Test
	void relationFilesMapToTheirForkAndSegment() {
		assertThat(PgdataFile.classify("base/5/16384", 8192)).isEqualTo(new RelSegment(1663, 5, 16384, 0, 0));
		assertThat(PgdataFile.classify("base/5/16384_fsm", 8192)).isEqualTo(new RelSegment(1663, 5, 16384, 1, 0));
		assertThat(PgdataFile.classify("base/5/16384_vm.3", 8192)).isEqualTo(new RelSegment(1663, 5, 16384, 2, 3));
		assertThat(PgdataFile.classify("base/5/16384_init", 0)).isEqualTo(new RelSegment(1663, 5, 16384, 3, 0));
		assertThat(PgdataFile.classify("global/1262", 8192))
			.isEqualTo(new RelSegment(Keys.GLOBAL_TABLESPACE, 0, 1262, 0, 0));
		assertThat(PgdataFile.classify("base/4294967295/4294967295", 0)).isEqualTo(new RelSegment(1663, -1, -1, 0, 0));
	}

	@Test
	void controlDataMapsAndSlruSegmentsAreHex() {
		assertThat(PgdataFile.classify("global/pg_control", 8192)).isInstanceOf(PgdataFile.ControlFile.class);
		assertThat(PgdataFile.classify("base/16384/pg_filenode.map", 524))
			.isEqualTo(new PgdataFile.RelMap(1663, 16384));
		assertThat(PgdataFile.classify("pg_xact/000A", 8192)).isEqualTo(new PgdataFile.SlruSegment(SlruKind.CLOG, 10));
		assertThat(PgdataFile.classify("pg_multixact/members/14078", 8192))
			.isEqualTo(new PgdataFile.SlruSegment(SlruKind.MULTIXACT_MEMBERS, 0x14078));
	}

	@Test
	void transientStateAndConfigurationAreSkippedWithAReason() {
		assertThat(PgdataFile.classify("pg_wal/000000010000000000000001", 16 << 20))
			.isInstanceOf(PgdataFile.Skipped.class);
		assertThat(PgdataFile.classify("postgresql.conf", 100)).isInstanceOf(PgdataFile.Skipped.class);
		assertThat(PgdataFile.classify("base/5/t3_16384", 0)).isInstanceOf(PgdataFile.Skipped.class);
		assertThat(PgdataFile.classify("global/pg_internal.init", 100)).isInstanceOf(PgdataFile.Skipped.class);
		assertThat(PgdataFile.classify("pg_logical/replorigin_checkpoint", 8)).isInstanceOf(PgdataFile.Skipped.class);
	}

	@Test
	void unknownUnsafeAndLossyFilesAreRefused() {
		for (String path : new String[] { "base/5/16384.0", "base/5/016384", "base/5/16384_xyz", "base/05/1",
				"base/5/4294967296", "pg_xact/000a", "pg_xact/0", "base/../global/pg_control", "global/pg_control/x",
				"random.txt", "base/5/sub/16384", "pg_wal/../../etc" }) {
			assertThatExceptionOfType(InvalidPgdataException.class).as(path)
				.isThrownBy(() -> PgdataFile.classify(path, 8192));
		}
		assertThatExceptionOfType(InvalidPgdataException.class)
			.isThrownBy(() -> PgdataFile.classify("pg_logical/replorigin_checkpoint", 24))
			.withMessageContaining("replication origins");
		assertThatExceptionOfType(InvalidPgdataException.class)
			.isThrownBy(() -> PgdataFile.classify("postmaster.pid", 100))
			.withMessageContaining("server was running");
		assertThatExceptionOfType(InvalidPgdataException.class)
			.isThrownBy(() -> PgdataFile.classify("backup_label", 100))
			.withMessageContaining("base backup");
	}

}
