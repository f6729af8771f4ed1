package dev.pgext.registry;

import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtIndexJson;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A publish whose commit fails after its blobs and catalog rows were written (here a
 * deferred trigger refuses the commit, as a lost connection or a full disk would) leaves
 * no row and no projection run behind, so the index and seed files stay as they were; at
 * most unreferenced content-addressed blobs remain.
 */
class FailedCommitIntegrationTests extends RegistryIntegrationTest {

	@BeforeEach
	void refuseCommitsOfDoomedReleases() {
		this.jdbc.sql("""
				create or replace function refuse_doomed() returns trigger language plpgsql as $$
				begin
				    if new.distribution like 'doomed%' then
				        raise exception 'commit refused for %', new.distribution;
				    end if;
				    return new;
				end $$
				""").update();
		this.jdbc
			.sql("create constraint trigger refuse_doomed after insert on release deferrable initially deferred "
					+ "for each row execute function refuse_doomed()")
			.update();
	}

	@AfterEach
	void allowCommits() {
		this.jdbc.sql("drop trigger refuse_doomed on release").update();
		this.jdbc.sql("drop function refuse_doomed()").update();
	}

	@Test
	void aFailedCommitLeavesTheIndexAndSeedLayoutAsTheyWere() {
		assertThat(publish(ADMIN_TOKEN, null, TestArtifacts.metadata("survivor", "1.0"),
				Map.of("pg14", TestArtifacts.sqlExtension("survivor").tarGz()))
			.status()).isEqualTo(201);
		awaitProjections();
		byte[] indexBefore = this.store.getBytes(StoreLayout.extIndex(Scope.PUBLIC, PgMajor.of(14))).orElseThrow();
		Snapshot before = snapshot();

		RegistryClient.Response response = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("doomed", "1.0"),
				Map.of("pg14", TestArtifacts.sqlExtension("doomed").tarGz()));

		assertThat(response.status()).isEqualTo(500);
		assertThat(response.problemType()).isEqualTo("https://pgext.dev/problems/internal-error");
		Snapshot after = snapshot();
		assertThat(after.rows()).isEqualTo(before.rows());
		assertThat(withoutBlobs(after.objects())).isEqualTo(withoutBlobs(before.objects()));
		assertThat(this.store.getBytes(StoreLayout.extIndex(Scope.PUBLIC, PgMajor.of(14))).orElseThrow())
			.isEqualTo(indexBefore);
		assertThat(ExtIndexJson.read(indexBefore).find("survivor")).isPresent();
		assertThat(
				this.store.head(StoreLayout.seedFile(Scope.PUBLIC, PgMajor.of(14), "share/extension/doomed.control")))
			.isEmpty();
	}

	private static Map<String, String> withoutBlobs(Map<String, String> objects) {
		Map<String, String> rest = new TreeMap<>(objects);
		rest.keySet().removeIf((key) -> key.startsWith("blobs/"));
		return rest;
	}

}
