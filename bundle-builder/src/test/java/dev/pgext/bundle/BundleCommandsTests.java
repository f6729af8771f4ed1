package dev.pgext.bundle;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.model.Sha256Digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Tests for {@link BundleCommands}: what a CI job sees on the console and in the exit
 * code.
 */
class BundleCommandsTests {

	@TempDir
	Path temp;

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	private int run(String... args) {
		BundleProperties properties = new BundleProperties("test", List.of(Path.of("/lib/x86_64-linux-gnu")), List.of(),
				List.of("nobody:65534:65534"), 3, this.temp, Duration.ofMinutes(1),
				new BundleProperties.Registry(null, null, Duration.ofSeconds(5)), null);
		return new BundleCommands(properties, new PrintStream(this.out, true, StandardCharsets.UTF_8),
				new PrintStream(this.err, true, StandardCharsets.UTF_8))
			.execute(args);
	}

	private String err() {
		return this.err.toString(StandardCharsets.UTF_8);
	}

	@Test
	void noCommandPrintsUsageAndExits2() {
		assertThat(run()).isEqualTo(BundleCommands.USAGE);
		assertThat(err()).contains("no command given").contains("bundle-builder build --output DIR");
	}

	@Test
	void anUnknownCommandExits2() {
		assertThat(run("frobnicate")).isEqualTo(BundleCommands.USAGE);
		assertThat(err()).contains("unknown command frobnicate");
	}

	@Test
	void buildWithoutSourceDateEpochSaysHowToGetOne() {
		assumeThat(System.getenv("SOURCE_DATE_EPOCH")).isNull();
		assertThat(run("build", "--output", this.temp.toString(), this.temp.toString()))
			.isEqualTo(BundleCommands.USAGE);
		assertThat(err()).contains("--source-date-epoch or SOURCE_DATE_EPOCH");
	}

	@Test
	void aSourceDateEpochOutsideTheYearsAnSbomCanSayIsAUsageError() {
		for (String epoch : new String[] { "-5", "253402300800", "99999999999999" }) {
			this.err.reset();
			assertThat(run("build", "--output", this.temp.toString(), "--source-date-epoch", epoch, "in"))
				.isEqualTo(BundleCommands.USAGE);
			assertThat(err())
				.contains("SOURCE_DATE_EPOCH " + Long.parseLong(epoch) + " is not a time from 1970 to 9999");
		}
	}

	@Test
	void aBuildKilledPartWayLeavesNothingForGoodInTheOutputDirectory() throws Exception {
		Process gone = new ProcessBuilder("true").start();
		gone.waitFor();
		Path out = Files.createDirectories(this.temp.resolve("out"));
		Path killed = Files.createDirectories(out.resolve(".bundle-build-" + gone.pid() + "-123/root/v15"));
		Path running = Files.createDirectories(out.resolve(".bundle-build-" + ProcessHandle.current().pid() + "-456"));
		Path notPostgres = Files.createDirectories(this.temp.resolve("empty-install"));

		run("build", "--output", out.toString(), "--source-date-epoch=0", notPostgres.toString());

		assertThat(killed.getParent().getParent()).as("a killed build's work directory").doesNotExist();
		assertThat(running).as("a running build's work directory").isDirectory();
	}

	@Test
	void buildWithAnUnknownVariantExits2() {
		assertThat(run("build", "--variant", "docker", "--output", "x", "--source-date-epoch", "0", "in"))
			.isEqualTo(BundleCommands.USAGE);
		assertThat(err()).contains("unknown variant 'docker'");
	}

	@Test
	void buildFromSomethingThatIsNotPostgresFailsWithExit1AndTheReason() throws Exception {
		Path notPostgres = Files.createDirectories(this.temp.resolve("empty-install"));
		assertThat(run("build", "--output", this.temp.resolve("out").toString(), "--source-date-epoch=0",
				notPostgres.toString()))
			.isEqualTo(BundleCommands.FAILED);
		assertThat(err()).contains(notPostgres + " has no executable bin/postgres and bin/initdb");
		// nor the output directory the build created for a bundle it did not make
		assertThat(this.temp.resolve("out")).doesNotExist();
		Path existing = Files.createDirectories(this.temp.resolve("existing"));
		assertThat(run("build", "--output", existing.toString(), "--source-date-epoch=0", notPostgres.toString()))
			.isEqualTo(BundleCommands.FAILED);
		try (var left = Files.list(existing)) {
			assertThat(left).as("no staging directory left behind").isEmpty();
		}
	}

	@Test
	void verifyOfAFileThatIsNotABundleFailsWithExit1() throws Exception {
		Path junk = Files.writeString(this.temp.resolve("junk.tar.zst"), "not a bundle");
		assertThat(run("verify", "--expect", Sha256Digest.of(junk).hex(), junk.toString()))
			.isEqualTo(BundleCommands.FAILED);
		assertThat(err()).contains("not a readable tar.zst archive");
	}

	@Test
	void verifyOfAFileNotNamedByItsDigestNeedsExpectAndExits2Without() throws Exception {
		Path unnamed = Files.writeString(this.temp.resolve("bundle.tar.zst"), "not a bundle");
		assertThat(run("verify", unnamed.toString())).isEqualTo(BundleCommands.USAGE);
		assertThat(err()).contains("bundle.tar.zst is not named pg-bundle-<sha256>.tar.zst")
			.contains("--expect SHA256")
			.doesNotContain("not a readable");
	}

	@Test
	void verifyRefusesAFileWhoseDigestIsNotTheExpectedOne() throws Exception {
		Path unnamed = Files.writeString(this.temp.resolve("bundle.tar.zst"), "not a bundle");
		Sha256Digest other = Sha256Digest.of("another bundle".getBytes(StandardCharsets.UTF_8));
		assertThat(run("verify", "--expect", other.hex(), unnamed.toString())).isEqualTo(BundleCommands.FAILED);
		assertThat(err()).contains("is not the expected bundle " + other.hex())
			.contains("its sha256 is " + Sha256Digest.of(unnamed).hex());
	}

	@Test
	void verifyRefusesAFileWhoseContentIsNotWhatItsNameSays() throws Exception {
		Sha256Digest claimed = Sha256Digest.of("the real bundle".getBytes(StandardCharsets.UTF_8));
		Path impostor = Files.writeString(this.temp.resolve("pg-bundle-" + claimed.hex() + ".tar.zst"), "impostor");
		assertThat(run("verify", impostor.toString())).isEqualTo(BundleCommands.FAILED);
		assertThat(err()).contains("is not the expected bundle " + claimed.hex());
	}

	@Test
	void verifyWithAnExpectThatIsNotADigestOrContradictsTheNameExits2() throws Exception {
		Sha256Digest claimed = Sha256Digest.of("the real bundle".getBytes(StandardCharsets.UTF_8));
		Path named = Files.writeString(this.temp.resolve("pg-bundle-" + claimed.hex() + ".tar.zst"), "x");
		assertThat(run("verify", "--expect", "abc", named.toString())).isEqualTo(BundleCommands.USAGE);
		assertThat(err()).contains("--expect: 'abc' is not a sha256 digest");
		this.err.reset();
		Sha256Digest other = Sha256Digest.of("x".getBytes(StandardCharsets.UTF_8));
		assertThat(run("verify", "--expect", other.hex(), named.toString())).isEqualTo(BundleCommands.USAGE);
		assertThat(err()).contains("contradicts the file name");
	}

	@Test
	void publishWithoutABucketSaysWhatToConfigure() throws Exception {
		Path junk = Files.writeString(this.temp.resolve("junk.tar.zst"), "not a bundle");
		assertThat(run("publish", junk.toString())).isEqualTo(BundleCommands.FAILED);
		assertThat(err()).contains("no bucket configured");
	}

	@Test
	void fetchNeedsAPinFile() {
		assertThat(run("fetch", "--into", "x")).isEqualTo(BundleCommands.USAGE);
		assertThat(err()).contains("fetch needs --pin");
	}

}
