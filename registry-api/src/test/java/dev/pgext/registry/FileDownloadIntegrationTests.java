package dev.pgext.registry;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.pgext.model.Sha256Digest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /api/v1/files/{sha256}}: a public file, once known, is answered without the
 * catalog; a private one is looked up for every caller.
 */
class FileDownloadIntegrationTests extends RegistryIntegrationTest {

	@Test
	void aKnownPublicFileIsServedWithoutReadingTheCatalogAgain() {
		RegistryClient.Response published = publish(ADMIN_TOKEN, null,
				TestArtifacts.metadata("download_cached", "1.0.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("download_cached").tarGz()));
		assertThat(published.status()).as(published.toString()).isEqualTo(201);
		String digest = published.json().path("extensions").get(0).path("files").get(0).path("sha256").asString();
		RegistryClient.Response first = api().get("/api/v1/files/" + digest, null);
		assertThat(first.status()).isEqualTo(200);
		assertThat(Sha256Digest.of(first.body()).hex()).isEqualTo(digest);
		// take the file's rows out of the catalog: a second download still works, so it
		// did not read them
		var rows = this.jdbc.sql("select extension_id, path, size from release_file where sha256 = ?")
			.param(digest)
			.query((rs, n) -> new Object[] { rs.getLong(1), rs.getString(2), rs.getLong(3) })
			.list();
		this.jdbc.sql("delete from release_file where sha256 = ?").param(digest).update();
		try {
			RegistryClient.Response again = api().get("/api/v1/files/" + digest, null);
			assertThat(again.status()).isEqualTo(200);
			assertThat(again.body()).isEqualTo(first.body());
			assertThat(again.headers().getContentLength()).isEqualTo(first.body().length);
			assertThat(again.headers().getCacheControl()).contains("public", "immutable");
		}
		finally {
			for (Object[] row : rows) {
				this.jdbc.sql("insert into release_file (extension_id, path, sha256, size) values (?, ?, ?, ?)")
					.params(row[0], row[1], digest, row[2])
					.update();
			}
		}
	}

	@Test
	void aPrivateFileStaysHiddenFromOthersAfterItsOwnerDownloadedIt() {
		String owner = userToken("download-owner-ci", "downloadco", "publish");
		String other = userToken("download-other-ci", "otherdownloadco", "publish");
		RegistryClient.Response published = publish(owner, "downloadco",
				TestArtifacts.metadata("download_private", "1.0.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("download_private").tarGz()));
		assertThat(published.status()).as(published.toString()).isEqualTo(201);
		String digest = published.json().path("extensions").get(0).path("files").get(0).path("sha256").asString();
		for (int i = 0; i < 2; i++) {
			RegistryClient.Response own = api().get("/api/v1/files/" + digest, owner);
			assertThat(own.status()).isEqualTo(200);
			assertThat(own.headers().getCacheControl()).contains("private");
		}
		assertThat(api().get("/api/v1/files/" + digest, other).status()).isEqualTo(404);
		assertThat(api().get("/api/v1/files/" + digest, null).status()).isEqualTo(404);
	}

}
