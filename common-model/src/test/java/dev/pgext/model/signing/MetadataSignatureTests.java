package dev.pgext.model.signing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.model.signing.MetadataRejectedException.Reason;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class MetadataSignatureTests {

	private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

	private static final byte[] INDEX = "{\"format\":1,\"pg_major\":\"15\",\"extensions\":[]}"
		.getBytes(StandardCharsets.UTF_8);

	private final SigningKey keyA = SigningKey.generate();

	private final SigningKey keyB = SigningKey.generate();

	private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

	@TempDir
	Path dir;

	private MetadataVerifier trusting(SigningKey... keys) {
		return new MetadataVerifier(TrustedKeys.of(List.of(keys).stream().map(SigningKey::publicKey).toList()), true,
				VersionLedger.inMemory(), this.clock);
	}

	private byte[] sign(SigningKey key, byte[] content, long version) {
		return new MetadataSigner(key, this.clock).sign("15/ext_index.json", content, version, Duration.ofDays(7))
			.toJson();
	}

	@Test
	void aSignatureByATrustedKeyOverTheExactBytesVerifies() {
		byte[] signature = sign(this.keyA, INDEX, 42);

		assertThat(trusting(this.keyA).verify("15/ext_index.json", INDEX, signature)).hasValueSatisfying((verified) -> {
			assertThat(verified.version()).isEqualTo(42);
			assertThat(verified.keyId()).isEqualTo(this.keyA.keyId()).hasSize(16);
			assertThat(verified.expires()).isEqualTo("2026-12-08T12:00:00Z");
		});
	}

	@Test
	void theSignatureDocumentIsJsonNamingKeyAlgorithmVersionAndExpiry() {
		String json = new String(sign(this.keyA, INDEX, 7), StandardCharsets.UTF_8);

		assertThat(json).contains("\"key_id\" : \"" + this.keyA.keyId() + "\"", "\"algorithm\" : \"ed25519\"",
				"\"version\" : 7", "\"expires\" : \"2026-12-08T12:00:00Z\"", "\"document\" : \"15/ext_index.json\"");
		assertThat(MetadataSignature.parse(json.getBytes(StandardCharsets.UTF_8)).keyId()).isEqualTo(this.keyA.keyId());
	}

	@Test
	void aRewrittenDocumentWithTheOldSignatureIsRefused() {
		byte[] signature = sign(this.keyA, INDEX, 1);
		byte[] tampered = new String(INDEX, StandardCharsets.UTF_8).replace("[]", "[ ]")
			.getBytes(StandardCharsets.UTF_8);

		assertThatExceptionOfType(MetadataRejectedException.class)
			.isThrownBy(() -> trusting(this.keyA).verify("15/ext_index.json", tampered, signature))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.BAD_SIGNATURE))
			.withMessageContaining("changed after signing");
	}

	@Test
	void aSignatureWhoseFieldsWereEditedDoesNotVerify() {
		String signature = new String(sign(this.keyA, INDEX, 1), StandardCharsets.UTF_8).replace("2026-12-08T12:00:00Z",
				"2027-12-08T12:00:00Z");

		assertThatExceptionOfType(MetadataRejectedException.class)
			.isThrownBy(() -> trusting(this.keyA).verify("15/ext_index.json", INDEX,
					signature.getBytes(StandardCharsets.UTF_8)))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.BAD_SIGNATURE))
			.withMessageContaining("does not verify");
	}

	@Test
	void aSignatureOfAnotherDocumentIsRefused() {
		byte[] signature = sign(this.keyA, INDEX, 1);

		assertThatExceptionOfType(MetadataRejectedException.class)
			.isThrownBy(() -> trusting(this.keyA).verify("acme/15/ext_index.json", INDEX, signature))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.BAD_SIGNATURE))
			.withMessageContaining("is for 15/ext_index.json");
	}

	@Test
	void aSignatureByAKeyThatIsNotTrustedIsRefused() {
		byte[] signature = sign(this.keyB, INDEX, 1);

		assertThatExceptionOfType(MetadataRejectedException.class)
			.isThrownBy(() -> trusting(this.keyA).verify("15/ext_index.json", INDEX, signature))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.UNKNOWN_KEY))
			.withMessageContaining(this.keyB.keyId());
	}

	@Test
	void anUnsignedDocumentIsRefusedWhenSignaturesAreRequired() {
		assertThatExceptionOfType(MetadataRejectedException.class)
			.isThrownBy(() -> trusting(this.keyA).verify("15/ext_index.json", INDEX, null))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.UNSIGNED));
	}

	@Test
	void anUnsignedDocumentPassesOnlyWhereNoKeyIsConfiguredAndNoneRequired() {
		MetadataVerifier open = new MetadataVerifier(TrustedKeys.of(List.of()), false, VersionLedger.inMemory(),
				this.clock);

		assertThat(open.verify("15/ext_index.json", INDEX, null)).isEmpty();
		assertThatIllegalArgumentException()
			.isThrownBy(
					() -> new MetadataVerifier(TrustedKeys.of(List.of()), true, VersionLedger.inMemory(), this.clock))
			.withMessageContaining("no public key is trusted");
	}

	@Test
	void anExpiredSignatureIsRefused() {
		byte[] signature = sign(this.keyA, INDEX, 1);
		MetadataVerifier later = new MetadataVerifier(TrustedKeys.of(List.of(this.keyA.publicKey())), true,
				VersionLedger.inMemory(), Clock.fixed(NOW.plus(Duration.ofDays(7)), ZoneOffset.UTC));

		assertThatExceptionOfType(MetadataRejectedException.class)
			.isThrownBy(() -> later.verify("15/ext_index.json", INDEX, signature))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.EXPIRED))
			.withMessageContaining("expired at 2026-12-08T12:00:00Z");
	}

	@Test
	void anOlderVersionThanOneSeenIsRefusedEvenAfterARestart() {
		byte[] newer = sign(this.keyA, INDEX, 200);
		byte[] older = sign(this.keyA, INDEX, 100);
		TrustedKeys trusted = TrustedKeys.of(List.of(this.keyA.publicKey()));
		new MetadataVerifier(trusted, true, VersionLedger.in(this.dir), this.clock).verify("15/ext_index.json", INDEX,
				newer);

		MetadataVerifier restarted = new MetadataVerifier(trusted, true, VersionLedger.in(this.dir), this.clock);

		assertThatExceptionOfType(MetadataRejectedException.class)
			.isThrownBy(() -> restarted.verify("15/ext_index.json", INDEX, older))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.ROLLBACK))
			.withMessageContaining("version 100, lower than version 200");
		assertThat(restarted.verify("15/ext_index.json", INDEX, newer)).isPresent();
	}

	@Test
	void aLedgerCreatedOnFirstRecordWritesNothingForARefusedDocument() {
		Path ledgerDir = this.dir.resolve("node/.trust");
		TrustedKeys trusted = TrustedKeys.of(List.of(this.keyA.publicKey()));
		MetadataVerifier verifier = new MetadataVerifier(trusted, true, VersionLedger.createdOnFirstRecord(ledgerDir),
				this.clock);
		assertThatExceptionOfType(MetadataRejectedException.class)
			.isThrownBy(() -> verifier.verify("15/ext_index.json", INDEX, sign(this.keyB, INDEX, 200)));
		assertThat(ledgerDir.getParent()).doesNotExist();

		verifier.verify("15/ext_index.json", INDEX, sign(this.keyA, INDEX, 200));
		assertThat(VersionLedger.createdOnFirstRecord(ledgerDir).highest("15/ext_index.json")).isEqualTo(200);
	}

	@Test
	void duringARotationEitherTrustedKeyVerifies() {
		MetadataVerifier both = trusting(this.keyA, this.keyB);

		assertThat(both.verify("15/ext_index.json", INDEX, sign(this.keyA, INDEX, 1))).isPresent();
		assertThat(both.verify("15/ext_index.json", INDEX, sign(this.keyB, INDEX, 2))).isPresent();
	}

	@Test
	void aKeyFileRoundTripsWithTheSameKeyIdAndSignaturesItsPublicKeyVerifies() throws Exception {
		Path file = this.dir.resolve("signing.pem");
		this.keyA.write(file);

		SigningKey loaded = SigningKey.load(file);
		TrustedKeys trusted = TrustedKeys.parse(List.of(file.resolveSibling("signing.pem.pub").toString()));

		assertThat(loaded.keyId()).isEqualTo(this.keyA.keyId());
		assertThat(trusted.ids()).containsExactly(this.keyA.keyId());
		assertThat(new MetadataVerifier(trusted, true, VersionLedger.inMemory(), this.clock).verify("15/ext_index.json",
				INDEX, sign(loaded, INDEX, 1)))
			.isPresent();
		assertThat(Files.getPosixFilePermissions(file)).hasSize(2);
	}

	@Test
	void inlinePemIsTrustedAndAFileWithoutAPublicKeyIsNamedInTheError() throws Exception {
		Path notAKey = Files.writeString(this.dir.resolve("nothing.pem"), "hello");

		assertThat(TrustedKeys.parse(List.of(this.keyB.publicPem())).ids()).containsExactly(this.keyB.keyId());
		assertThatIllegalArgumentException().isThrownBy(() -> TrustedKeys.parse(List.of(notAKey.toString())))
			.withMessageContaining(notAKey.toString());
		assertThatIllegalArgumentException().isThrownBy(() -> SigningKey.load(notAKey))
			.withMessageContaining("no -----BEGIN PRIVATE KEY----- block");
	}

	@Test
	void aMalformedSignatureDocumentIsRefusedAsMalformed() {
		assertThatExceptionOfType(MetadataRejectedException.class)
			.isThrownBy(() -> trusting(this.keyA).verify("15/ext_index.json", INDEX,
					"{\"format\":1}".getBytes(StandardCharsets.UTF_8)))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.MALFORMED));
	}

}
