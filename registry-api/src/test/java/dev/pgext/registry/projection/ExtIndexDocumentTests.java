package dev.pgext.registry.projection;

import java.util.List;

import org.junit.jupiter.api.Test;

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

/**
 * Tests for {@link ExtIndexDocument}: an index assembled from kept entries has the bytes
 * of the whole index written at once.
 */
class ExtIndexDocumentTests {

	private static final PgMajor MAJOR = PgMajor.of(16);

	@Test
	void anIndexAssembledFromEntriesEqualsItWrittenWhole() {
		List<ExtIndexEntry> entries = List.of(entry("alpha", "1.0.0", List.of("alpha")),
				entry("beta", "2.1.0", List.of()), entry("gamma", "0.1.0-rc.1", List.of("gamma", "gamma_util")));
		assertThat(ExtIndexDocument.write(MAJOR,
				entries.stream().map((entry) -> ExtIndexDocument.element(MAJOR, entry)).toList()))
			.isEqualTo(ExtIndexJson.writeCompact(ExtIndex.of(MAJOR, null, entries)));
	}

	@Test
	void anIndexWithoutEntriesEqualsItWrittenWhole() {
		assertThat(ExtIndexDocument.write(MAJOR, List.of()))
			.isEqualTo(ExtIndexJson.writeCompact(ExtIndex.of(MAJOR, null, List.of())));
	}

	@Test
	void aTenantsIndexAssembledFromEntriesEqualsItWrittenWhole() {
		TenantId tenant = TenantId.of("acme");
		List<ExtIndexEntry> entries = List.of(entry("alpha", "1.0.0", List.of()), entry("delta", "3.0.0", List.of()));
		assertThat(ExtIndexDocument.write(MAJOR, tenant,
				entries.stream().map((entry) -> ExtIndexDocument.element(MAJOR, entry)).toList()))
			.isEqualTo(ExtIndexJson.writeCompact(ExtIndex.of(MAJOR, tenant, entries)));
		assertThat(ExtIndexDocument.write(MAJOR, tenant, List.of()))
			.isEqualTo(ExtIndexJson.writeCompact(ExtIndex.of(MAJOR, tenant, List.of())));
	}

	@Test
	void aPublicIndexAndItsCopyWithTheSameBytesCarryOneCorrectDigest() {
		PgMajor major = PgMajor.of(17);
		List<byte[]> fragments = List.of(ExtIndexDocument.element(major, entry("alpha", "1.0.0", List.of())));
		Projection.Generated index = ExtIndexDocument.generated(major, null, fragments);
		assertThat(index.content()).isEqualTo(
				ExtIndexJson.writeCompact(ExtIndex.of(major, null, List.of(entry("alpha", "1.0.0", List.of())))));
		assertThat(index.sha256()).isEqualTo(Sha256Digest.of(index.content()));
		Projection.Generated copy = ExtIndexDocument.generated(index.content().clone(), "application/json");
		assertThat(copy.sha256()).isEqualTo(index.sha256());
		byte[] other = "{}".getBytes();
		assertThat(ExtIndexDocument.generated(other, "application/json").sha256()).isEqualTo(Sha256Digest.of(other));
		List<byte[]> changed = List.of(ExtIndexDocument.element(major, entry("beta", "1.0.0", List.of())));
		Projection.Generated next = ExtIndexDocument.generated(major, null, changed);
		assertThat(next.sha256()).isEqualTo(Sha256Digest.of(next.content())).isNotEqualTo(index.sha256());
	}

	private static ExtIndexEntry entry(String name, String version, List<String> libraries) {
		return new ExtIndexEntry(ExtensionName.of(name), ExtensionVersion.of(version), version,
				"comment = '" + name + "'\ndefault_version = '" + version + "'\n",
				List.of(new ExtFile("share/extension/" + name + ".control", Sha256Digest.of(name.getBytes()), 42)),
				libraries, List.of(), PreloadNeed.NONE, false, true);
	}

}
