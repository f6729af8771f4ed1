package dev.pgext.testsupport;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.pgext.model.store.ObjectInfo;
import dev.pgext.model.store.S3ObjectStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The database and bucket {@link RealInfrastructure} gives are real: SQL runs, and the
 * object-store facade's calls behave as S3 specifies.
 */
@RealInfrastructure
class RealInfrastructureIntegrationTests {

	@Test
	void theDatabaseAnswersQueries(TestDatabase database) throws Exception {
		try (Connection connection = database.dataSource().getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE greeting (id int PRIMARY KEY, text text)");
			statement.execute("INSERT INTO greeting VALUES (1, 'hello'), (2, 'world')");
			ResultSet rs = statement.executeQuery("SELECT string_agg(text, ' ' ORDER BY id), version() FROM greeting");
			assertThat(rs.next()).isTrue();
			assertThat(rs.getString(1)).isEqualTo("hello world");
			assertThat(rs.getString(2)).startsWith("PostgreSQL");
		}
	}

	@Test
	void eachTestClassGetsItsOwnDatabaseAndBucket(TestDatabase database, TestBucket bucket) {
		assertThat(TestInfrastructure.database(RealInfrastructureIntegrationTests.class)).isSameAs(database);
		assertThat(TestInfrastructure.database(String.class).jdbcUrl()).isNotEqualTo(database.jdbcUrl());
		assertThat(TestInfrastructure.bucket(String.class).name()).isNotEqualTo(bucket.name());
	}

	@Test
	void putGetAndHeadRoundTrip(TestBucket bucket) throws Exception {
		S3ObjectStore store = bucket.objectStore();
		String etag = store.put("a/b.txt", "hello s3".getBytes(StandardCharsets.UTF_8), "text/plain");
		assertThat(etag).isNotBlank();
		assertThat(store.getBytes("a/b.txt")).map((b) -> new String(b, StandardCharsets.UTF_8)).contains("hello s3");
		assertThat(store.head("a/b.txt")).map(ObjectInfo::size).contains(8L);
		assertThat(store.head("a/b.txt")).map(ObjectInfo::etag).contains(etag);
		assertThat(store.get("missing")).isEmpty();
		assertThat(store.head("missing")).isEmpty();
	}

	@Test
	void rangedGetReturnsOnlyTheRange(TestBucket bucket) throws Exception {
		S3ObjectStore store = bucket.objectStore();
		store.put("range.bin", "0123456789".getBytes(StandardCharsets.UTF_8), null);
		Optional<InputStream> range = store.getRange("range.bin", 3, 4);
		assertThat(range).isPresent();
		try (InputStream in = range.get()) {
			assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("3456");
		}
	}

	@Test
	void putIfAbsentWritesOnlyOnce(TestBucket bucket) {
		S3ObjectStore store = bucket.objectStore();
		assertThat(store.putIfAbsent("once", "first".getBytes(), null)).isPresent();
		assertThat(store.putIfAbsent("once", "second".getBytes(), null)).isEmpty();
		assertThat(store.getBytes("once")).map(String::new).contains("first");
	}

	@Test
	void putIfMatchReplacesOnlyTheVersionItWasGiven(TestBucket bucket) {
		S3ObjectStore store = bucket.objectStore();
		String v1 = store.put("state.json", "{\"v\":1}".getBytes(), "application/json");
		Optional<String> v2 = store.putIfMatch("state.json", v1, "{\"v\":2}".getBytes(), "application/json");
		assertThat(v2).isPresent();
		assertThat(store.putIfMatch("state.json", v1, "{\"v\":3}".getBytes(), "application/json")).isEmpty();
		assertThat(store.getBytes("state.json")).map(String::new).contains("{\"v\":2}");
	}

	@Test
	void listingReadsEveryPage(TestBucket bucket) {
		// pages of 10 keys: three requests for 25 keys, as 1,000-key pages (S3's and the
		// servers' largest) would be for 2,500
		S3ObjectStore store = bucket.objectStore().withListPageSize(10);
		IntStream.range(0, 25)
			.parallel()
			.forEach((i) -> store.put(String.format("many/%04d", i), new byte[] { 1 }, null));
		store.put("other/x", new byte[] { 1 }, null);
		// the server cuts a listing at 10 keys when asked: 25 in one list are three pages
		assertThat(store.client()
			.listObjectsV2((request) -> request.bucket(bucket.name()).prefix("many/").maxKeys(10))
			.isTruncated()).isTrue();
		List<ObjectInfo> listed = store.list("many/");
		assertThat(listed).hasSize(25);
		assertThat(listed.get(0).key()).isEqualTo("many/0000");
		assertThat(listed.get(24).key()).isEqualTo("many/0024");
		store.delete("many/0000");
		store.delete("never-existed");
		assertThat(store.list("many/")).hasSize(24);
		assertThat(bucket.objectStore().list("many/")).as("in one page of the server's size").hasSize(24);
		assertThatIllegalArgumentException().isThrownBy(() -> store.withListPageSize(1001));
	}

}
