package dev.pgext.loader.fetch;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pgext.loader.compute.ExtensionCatalog;
import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.index.PreloadNeed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The one-pass skim of an {@code ext_index.json}: it hashes exactly the bytes it read,
 * binds each entry from its own text to what the whole-document parse gives, and finds
 * the same preload closure as the fully parsed catalog.
 */
class IndexTextTests {

	private static final ExtIndex INDEX = ExtIndex
		.of(PgMajor.of(15), TenantId.of("acme"),
				List.of(entry("base", "comment = 'naïve — ünïcode'\n", List.of(), List.of()),
						entry("pg_lib", "comment = 'quote \" and \\\\ backslash'\n", List.of("pg_lib"),
								List.of("base")),
						entry("auto_lib", null, List.of("auto_lib"), List.of()),
						entry("both_a", "default_version = '1.0'\n", List.of("shared_lib"), List.of()),
						entry("both_b", "default_version = '1.0'\n", List.of("shared_lib"), List.of("pg_lib")),
						entry("zeta", "default_version = '1.0'\n", List.of(), List.of("missing_one"))));

	@Test
	void everyEntryBoundFromItsTextEqualsTheWholeDocumentsParse() {
		for (byte[] json : List.of(ExtIndexJson.write(INDEX), ExtIndexJson.writeCompact(INDEX))) {
			IndexText text = IndexText.read(new ByteArrayInputStream(json), -1);

			assertThat(text.sha256()).isEqualTo(Sha256Digest.of(json));
			assertThat(text.size()).isEqualTo(json.length);
			assertThat(text.pgMajor()).isEqualTo(PgMajor.of(15));
			assertThat(text.tenant()).isEqualTo(TenantId.of("acme"));
			for (ExtIndexEntry entry : INDEX.extensions()) {
				assertThat(text.entry(entry.name().value())).isEqualTo(entry);
			}
			assertThat(SkimmedIndex.merge(PgMajor.of(15), TenantId.of("acme"), text, null).parseAll()).isEqualTo(INDEX);
		}
	}

	@Test
	void theSkimKeepsWhatThePreloadClosureNeeds() {
		IndexText text = IndexText.read(ExtIndexJson.write(INDEX));

		IndexText.EntrySkim library = text.skims().get("auto_lib");
		assertThat(library.libraryOnly()).isTrue();
		assertThat(text.skims().get("pg_lib").requires()).containsExactly("base");
		assertThat(text.skims().get("pg_lib").libraryOnly()).isFalse();
	}

	@Test
	void thePreloadClosureIsTheOneTheWholeCatalogGives() {
		SkimmedIndex skimmed = SkimmedIndex.merge(PgMajor.of(15), null, IndexText.read(ExtIndexJson.write(INDEX)),
				null);
		List<List<String>> availables = List.of(List.of(), List.of("both_b", "pg_lib"), List.of("zeta"),
				List.of("both_b"));
		List<String> preload = List.of("pg_lib", "$libdir/shared_lib.so", "auto_lib", "zeta", "nowhere");
		for (List<String> available : availables) {
			for (boolean listedOnly : new boolean[] { false, true }) {
				ExtensionCatalog whole = ExtensionCatalog.of(INDEX, available, preload, listedOnly);
				ExtensionCatalog early = ExtensionCatalog.preloadClosure(skimmed, available, preload, listedOnly);

				assertThat(early.forLibraries(preload)).as("available %s, listed only %s", available, listedOnly)
					.isEqualTo(whole.forLibraries(preload));
			}
		}
	}

	@Test
	void aTenantEntryReplacesThePublicOneOfTheSameName() {
		ExtIndexEntry mine = entry("base", "comment = 'the tenant''s'\n", List.of("base_lib"), List.of());
		IndexText publicText = IndexText.read(ExtIndexJson.write(INDEX));
		IndexText tenantText = IndexText.read(ExtIndexJson.write(ExtIndex.of(PgMajor.of(15), null, List.of(mine))));

		SkimmedIndex merged = SkimmedIndex.merge(PgMajor.of(15), TenantId.of("acme"), publicText, tenantText);

		assertThat(merged.entry("base")).isEqualTo(mine);
		assertThat(merged.skim("base")).map(IndexText.EntrySkim::libraries).hasValue(List.of("base_lib"));
		assertThat(merged.parseAll().extensions()).hasSize(INDEX.extensions().size());
	}

	@Test
	void anInvalidDocumentIsRefusedWithTheReason() {
		String json = new String(ExtIndexJson.write(INDEX), StandardCharsets.UTF_8);
		String twice = json.replace("\"name\" : \"zeta\"", "\"name\" : \"base\"");
		assertThatIllegalArgumentException().isThrownBy(() -> IndexText.read(bytes(twice)))
			.withMessageContaining("names extension base twice");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> IndexText.read(bytes(json.replace("\"format\" : 1", "\"format\" : 2"))))
			.withMessageContaining("format 2 is not supported");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> IndexText.read(bytes(json.substring(0, json.length() / 2))))
			.withMessageContaining("invalid ext_index.json");
		assertThatIllegalArgumentException().isThrownBy(() -> IndexText.read(bytes("{\"format\": 1}")))
			.withMessageContaining("no pg_major");
	}

	@Test
	void aDocumentLargerThanTheMostBytesAllowedIsRefusedNamingTheProperty() {
		byte[] json = ExtIndexJson.write(INDEX);
		assertThatIllegalArgumentException().isThrownBy(
				() -> IndexText.read(new ByteArrayInputStream(json), -1, IndexText.EntryListener.NONE, json.length - 1))
			.withMessageContaining("pgext.loader.index-max-size");
		assertThat(IndexText.read(new ByteArrayInputStream(json), -1, IndexText.EntryListener.NONE, json.length).size())
			.isEqualTo(json.length);
	}

	@Test
	void anEndlessDocumentIsRefusedOnceTheMostBytesAllowedHaveArrived() {
		Endless entries = new Endless("{\"format\": 1, \"pg_major\": 15, \"extensions\": [",
				(n) -> "{\"name\": \"x" + n + "\"},");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> IndexText.read(entries, -1, IndexText.EntryListener.NONE, 1024 * 1024))
			.withMessageContaining("pgext.loader.index-max-size");
		assertThat(entries.served).isLessThan(2 * 1024 * 1024);

		String whole = new String(ExtIndexJson.writeCompact(INDEX), StandardCharsets.UTF_8);
		Endless trailing = new Endless(whole, (n) -> "        ");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> IndexText.read(trailing, -1, IndexText.EntryListener.NONE, 1024 * 1024))
			.withMessageContaining("pgext.loader.index-max-size");
		assertThat(trailing.served).isLessThan(2 * 1024 * 1024);
	}

	@Test
	void anAnnouncedSizeLargerThanTheMostBytesAllowedIsRefusedBeforeAnyByteIsRead() {
		Endless body = new Endless("{", (n) -> " ");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> IndexText.read(body, Integer.MAX_VALUE - 1L, IndexText.EntryListener.NONE, 1024))
			.withMessageContaining("pgext.loader.index-max-size");
		assertThat(body.served).isZero();
	}

	@Test
	void anIndexOfAnotherMajorIsRefused() {
		IndexText text = IndexText.read(ExtIndexJson.write(INDEX));
		assertThatIllegalArgumentException().isThrownBy(() -> SkimmedIndex.merge(PgMajor.of(16), null, text, null))
			.withMessageContaining("for PostgreSQL 15, not 16");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> SkimmedIndex.ofDocuments(PgMajor.of(16), null, List.of(text)))
			.withMessageContaining("for PostgreSQL 15, not 16");
	}

	/** A body that never ends: {@code head}, then {@code next(n)} for n = 0, 1, ... */
	private static final class Endless extends java.io.InputStream {

		private final java.util.function.IntFunction<String> next;

		private byte[] pending;

		private int at;

		private int n;

		long served;

		Endless(String head, java.util.function.IntFunction<String> next) {
			this.next = next;
			this.pending = bytes(head);
		}

		@Override
		public int read() {
			byte[] one = new byte[1];
			read(one, 0, 1);
			return one[0] & 0xff;
		}

		@Override
		public int read(byte[] target, int offset, int max) {
			if (this.at == this.pending.length) {
				this.pending = bytes(this.next.apply(this.n++));
				this.at = 0;
			}
			int count = Math.min(max, this.pending.length - this.at);
			System.arraycopy(this.pending, this.at, target, offset, count);
			this.at += count;
			this.served += count;
			return count;
		}

	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static ExtIndexEntry entry(String name, String control, List<String> libraries, List<String> requires) {
		byte[] script = ("-- " + name + "\n").getBytes(StandardCharsets.UTF_8);
		return new ExtIndexEntry(ExtensionName.of(name), ExtensionVersion.of("1.0"), "1.0", control,
				List.of(new ExtFile("share/extension/" + name + "--1.0.sql", Sha256Digest.of(script), script.length)),
				libraries, requires, PreloadNeed.NONE, false, true);
	}

}
