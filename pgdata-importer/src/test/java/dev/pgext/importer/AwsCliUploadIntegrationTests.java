package dev.pgext.importer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import dev.pgext.testsupport.OutsideTools;
import dev.pgext.testsupport.TestBucket;
import dev.pgext.testsupport.TestInfrastructure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A PGDATA uploaded the way an operator uploads one, with the AWS CLI
 * ({@code aws s3 sync}, Debian's awscli), imports whole: every relation file rebuilt from
 * the layers has the bytes of the source. The CLI is told to send every file above 256
 * KiB as a multipart upload, so the relation files arrive as the CLI's multipart objects
 * (their ETags are not MD5s), with its own signing and checksum headers, not as the SDK
 * the other tests upload with sends them.
 */
class AwsCliUploadIntegrationTests extends ImporterIntegrationTestSupport {

	private static final String TIMELINE = "00000000000000000000000000000a11";

	@Test
	void aPgdataUploadedWithTheAwsCliImportsWholeAndRebuildsByteForByte(@TempDir Path temp) throws Exception {
		Path aws = requireClient();
		TestBucket bucket = TestInfrastructure.bucket(ImporterIntegrationTestSupport.class);
		String prefix = "awscli";
		Path pgdata = PgdataFixture.pgdata();

		run(aws, temp, bucket, "s3", "sync", pgdata.toString(),
				"s3://" + this.storage.bucket() + "/" + prefix + "/pgdata/", "--only-show-errors");
		assertThat(this.storage.head(prefix + "/pgdata/global/pg_control")).isPresent();
		// a relation file above the threshold arrived as a multipart object
		String large = PgdataFixture.files(pgdata)
			.stream()
			.filter((file) -> file.startsWith("base/") && size(pgdata.resolve(file)) > 256 * 1024)
			.findFirst()
			.orElseThrow();
		assertThat(this.storage.head(prefix + "/pgdata/" + large).orElseThrow().etag()).as(large).contains("-");
		PgdataFixture.markDone(this.storage, prefix);

		var created = post(TENANT, 0, createBody(TIMELINE, "key-awscli", this.storage.bucket(), prefix));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		JsonNode status = awaitEnd(TENANT, 0, TIMELINE, Duration.ofSeconds(90));
		assertThat(status.path("state").asString()).as(status.toString()).isEqualTo("done");

		Path rebuilt = temp.resolve("rebuilt");
		rebuild(List.of(indexPart(TENANT, "0001", TIMELINE)), rebuilt);
		assertSameFiles(pgdata, rebuilt);
	}

	private static long size(Path file) {
		try {
			return Files.size(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Debian's AWS CLI ({@code /usr/bin/aws}), else one on the path; required under CI,
	 * where .ci/run installs Debian's.
	 */
	private static Path requireClient() {
		Optional<Path> aws = Stream
			.concat(Stream.of("/usr/bin"),
					Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)))
			.filter((dir) -> !dir.isEmpty())
			.map((dir) -> Path.of(dir, "aws"))
			.filter(Files::isExecutable)
			.findFirst();
		OutsideTools.require(aws.isPresent(), "aws (Debian's awscli) is not installed (.ci/run installs it)");
		return aws.get();
	}

	private static void run(Path aws, Path temp, TestBucket bucket, String... arguments) {
		try {
			// only this file and these variables: nothing of the machine's own AWS set-up
			Path config = temp.resolve("aws-config");
			Files.writeString(config, """
					[default]
					region = us-east-1
					s3 =
					  addressing_style = path
					  multipart_threshold = 256KB
					  multipart_chunksize = 5MB
					""");
			ProcessBuilder builder = new ProcessBuilder(Stream
				.concat(Stream.of(aws.toString(), "--endpoint-url", bucket.endpoint().toString()), Stream.of(arguments))
				.toList()).redirectErrorStream(true);
			Map<String, String> env = builder.environment();
			env.keySet().removeIf((name) -> name.startsWith("AWS_"));
			env.put("AWS_CONFIG_FILE", config.toString());
			env.put("AWS_SHARED_CREDENTIALS_FILE", temp.resolve("no-credentials").toString());
			env.put("AWS_ACCESS_KEY_ID", bucket.accessKey());
			env.put("AWS_SECRET_ACCESS_KEY", bucket.secretKey());
			Process process = builder.start();
			process.getOutputStream().close();
			byte[] output = process.getInputStream().readAllBytes();
			if (!process.waitFor(2, TimeUnit.MINUTES)) {
				process.destroyForcibly();
				fail("aws " + String.join(" ", arguments) + " did not finish");
			}
			assertThat(process.exitValue())
				.as("aws %s exited with\n%s", String.join(" ", arguments), new String(output, StandardCharsets.UTF_8))
				.isZero();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

}
