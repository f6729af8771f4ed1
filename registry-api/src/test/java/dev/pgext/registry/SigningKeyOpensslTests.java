package dev.pgext.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.model.Executables;
import dev.pgext.model.signing.KeyPem;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.model.signing.MetadataSigner;
import dev.pgext.model.signing.SigningKey;
import dev.pgext.testsupport.OutsideTools;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What docs/signing.md promises about keys and signatures, checked with the OpenSSL
 * command-line tool: the registry signs with the key {@code openssl genpkey -algorithm
 * ed25519} writes, its public half is the one {@code openssl pkey -pubout} writes, the
 * key id is the start of the sha256 of that key's DER, and a signature verifies with
 * {@code openssl pkeyutl -verify} over the documented signed bytes (and not over others).
 */
class SigningKeyOpensslTests {

	@TempDir
	Path dir;

	@Test
	void aKeyOpensslMadeSignsWhatOpensslVerifies() throws Exception {
		Optional<Path> openssl = Executables.onPath("openssl");
		OutsideTools.require(openssl.isPresent(),
				"openssl is not installed (apt-get install openssl, as .ci/run does)");
		Path privatePem = this.dir.resolve("signing.pem");
		Path publicPem = this.dir.resolve("signing.pub.pem");
		Path publicDer = this.dir.resolve("signing.pub.der");
		run(openssl.get(), "genpkey", "-algorithm", "ed25519", "-out", privatePem.toString());
		run(openssl.get(), "pkey", "-in", privatePem.toString(), "-pubout", "-out", publicPem.toString());
		run(openssl.get(), "pkey", "-in", privatePem.toString(), "-pubout", "-outform", "DER", "-out",
				publicDer.toString());

		SigningKey key = SigningKey.load(privatePem);
		assertThat(KeyPem.readPublic(Files.readString(publicPem)).getEncoded()).isEqualTo(key.publicKey().getEncoded());
		String derSha256 = run(openssl.get(), "dgst", "-sha256", "-r", publicDer.toString()).split(" ")[0];
		assertThat(key.keyId()).isEqualTo(derSha256.substring(0, 16));

		byte[] document = "{\"format\": 1, \"pg_major\": 15, \"extensions\": []}".getBytes(StandardCharsets.UTF_8);
		MetadataSignature signature = new MetadataSigner(key, Clock.systemUTC()).sign("15/ext_index.json", document, 7,
				Duration.ofDays(7));
		Path signed = Files.write(this.dir.resolve("signed"), signature.signedBytes());
		Path sig = Files.write(this.dir.resolve("sig"), Base64.getDecoder().decode(signature.signature()));
		assertThat(run(openssl.get(), "pkeyutl", "-verify", "-pubin", "-inkey", publicPem.toString(), "-rawin", "-in",
				signed.toString(), "-sigfile", sig.toString()))
			.contains("Signature Verified Successfully");
		// the bytes are the documented lines, and other bytes do not verify
		assertThat(new String(signature.signedBytes(), StandardCharsets.UTF_8))
			.isEqualTo("pgext-metadata-signature-v1\n15/ext_index.json\n" + signature.sha256().hex() + "\n"
					+ document.length + "\n7\n" + signature.expires() + "\n");
		Path other = Files.writeString(this.dir.resolve("other"),
				new String(signature.signedBytes(), StandardCharsets.UTF_8).replace("\n7\n", "\n8\n"));
		Process refused = new ProcessBuilder(openssl.get().toString(), "pkeyutl", "-verify", "-pubin", "-inkey",
				publicPem.toString(), "-rawin", "-in", other.toString(), "-sigfile", sig.toString())
			.redirectErrorStream(true)
			.start();
		String said = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(refused.waitFor()).as(said).isNotZero();
		assertThat(said).contains("Signature Verification Failure");
	}

	private static String run(Path openssl, String... arguments) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of(openssl.toString()));
		command.addAll(List.of(arguments));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor()).as(command + ": " + output).isZero();
		return output;
	}

}
