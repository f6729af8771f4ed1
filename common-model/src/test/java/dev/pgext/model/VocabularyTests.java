package dev.pgext.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for the vocabulary records and {@link StoreLayout}.
 */
class VocabularyTests {

	@Test
	void pgMajorsParseFromTheirUsualSpellings() {
		assertThat(PgMajor.parse("15")).isEqualTo(new PgMajor(15));
		assertThat(PgMajor.parse("v17")).isEqualTo(new PgMajor(17));
		assertThat(PgMajor.parse("16.4")).isEqualTo(new PgMajor(16));
		assertThatIllegalArgumentException().isThrownBy(() -> PgMajor.parse("9")).withMessageContaining("14 to 18");
		assertThatIllegalArgumentException().isThrownBy(() -> PgMajor.parse("fifteen"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "a--b", "-ab", "ab-", "a/b", "a b", "été" })
	void extensionNamesFollowTheServerRules(String name) {
		assertThatIllegalArgumentException().isThrownBy(() -> ExtensionName.of(name));
	}

	@Test
	void extensionNamesMayBeLongUpToNamedatalen() {
		assertThat(ExtensionName.of("a".repeat(63)).value()).hasSize(63);
		assertThatIllegalArgumentException().isThrownBy(() -> ExtensionName.of("a".repeat(64)));
		assertThat(ExtensionName.of("uuid-ossp").value()).isEqualTo("uuid-ossp");
	}

	@ParameterizedTest
	@ValueSource(strings = { "15", "blobs", "Acme", "-acme",
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" })
	void tenantIdsCannotCollideWithStoreKeys(String id) {
		assertThatIllegalArgumentException().isThrownBy(() -> TenantId.of(id));
	}

	@Test
	void digestsAcceptTheirPrefixedForm() {
		Sha256Digest digest = Sha256Digest.of("abc".getBytes());
		assertThat(digest.hex()).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
		assertThat(Sha256Digest.parse("SHA256:" + digest.hex().toUpperCase())).isEqualTo(digest);
		assertThatIllegalArgumentException().isThrownBy(() -> Sha256Digest.parse("abc"));
	}

	@Test
	void storeKeysFollowTheSeedLayout() {
		Sha256Digest digest = Sha256Digest.of("abc".getBytes());
		PgMajor pg15 = new PgMajor(15);
		Scope acme = Scope.tenant(TenantId.of("acme"));
		assertThat(StoreLayout.blob(digest)).isEqualTo("blobs/sha256/" + digest.hex());
		assertThat(StoreLayout.blobDigest(StoreLayout.blob(digest))).isEqualTo(digest);
		assertThat(StoreLayout.seedFile(Scope.PUBLIC, pg15, "lib/hstore.so")).isEqualTo("15/lib/hstore.so");
		assertThat(StoreLayout.seedFile(acme, pg15, "share/extension/x.control"))
			.isEqualTo("acme/15/share/extension/x.control");
		assertThat(StoreLayout.extIndex(Scope.PUBLIC, pg15)).isEqualTo("15/ext_index.json");
		assertThat(StoreLayout.extIndex(acme, pg15)).isEqualTo("acme/15/ext_index.json");
		assertThat(StoreLayout.bundle(digest)).isEqualTo("bundles/sha256/" + digest.hex() + ".tar.zst");
		assertThat(StoreLayout.mirror("extensions/hstore.json")).isEqualTo("mirror/extensions/hstore.json");
		assertThatIllegalArgumentException().isThrownBy(() -> StoreLayout.mirror("../15/ext_index.json"));
		assertThatIllegalArgumentException().isThrownBy(() -> StoreLayout.mirror("/index.json"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "../lib/x.so", "/lib/x.so", "lib/../../x", "bin/postgres", "share//x", "lib\\x.so" })
	void installPathsStayInsideShareAndLib(String path) {
		assertThat(StoreLayout.installPathProblem(path)).isNotNull();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> StoreLayout.seedFile(Scope.PUBLIC, new PgMajor(15), path));
	}

	@Test
	void storeKeysMustFitWhatS3Stores() {
		String longName = "a".repeat(256);
		assertThat(StoreLayout.installPathProblem("share/extension/" + longName)).contains("256 bytes")
			.contains("at most 255");
		assertThat(StoreLayout.installPathProblem("share/extension/" + "a".repeat(251) + ".sql")).isNull();
		// 2-byte characters: 128 of them are 256 bytes
		assertThat(StoreLayout.installPathProblem("share/" + "\u00e9".repeat(128))).contains("256 bytes");
		String deep = "share/" + ("d".repeat(200) + "/").repeat(5) + "x.sql";
		assertThat(StoreLayout.installPathProblem(deep)).contains("at most " + StoreLayout.MAX_INSTALL_PATH_BYTES);
		assertThat(StoreLayout.installPathProblem("share/extension/tab\there.sql")).contains("U+0009");
		assertThat(StoreLayout.installPathProblem("share/extension/bad\uFFFD.sql")).contains("not valid UTF-8");
		assertThat(StoreLayout.installPathProblem("share/extension/lone\uD800.sql")).contains("unpaired surrogate");
		assertThat(StoreLayout.installPathProblem("share/extension/emoji\uD83D\uDE00.sql")).isNull();
		assertThat(StoreLayout.keyProblem("k".repeat(1025))).contains("1025 bytes");
		assertThat(StoreLayout.keyProblem("15/ext_index.json")).isNull();
	}

}
