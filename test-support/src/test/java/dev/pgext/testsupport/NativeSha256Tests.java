package dev.pgext.testsupport;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Security;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The test JVMs' SHA-256: native, the same digests as the JDK's, and nothing else taken
 * from the JDK.
 */
class NativeSha256Tests {

	@Test
	void theLauncherPutTheNativeSha256FirstAndOnlyForSha256() throws Exception {
		assumeFalse("false".equals(System.getProperty(NativeSha256.PROPERTY)), "turned off");
		assertThat(Security.getProvider(NativeSha256.PROVIDER_NAME))
			.as("installed when the launcher session opened; did it load? %s", NativeSha256.install())
			.isNotNull();
		assertThat(MessageDigest.getInstance("SHA-256").getProvider().getName()).isEqualTo(NativeSha256.PROVIDER_NAME);
		assertThat(Security.getProviders()[0].getName()).isEqualTo(NativeSha256.PROVIDER_NAME);
		assertThat(Security.getProviders()[0].getServices()).hasSize(1);
		assertThat(Security.getProviders("MessageDigest.SHA-256")[0].getName()).isEqualTo(NativeSha256.PROVIDER_NAME);
		assertThat(MessageDigest.getInstance("SHA-512").getProvider().getName()).isEqualTo("SUN");
		assertThat(MessageDigest.getInstance("MD5").getProvider().getName()).isEqualTo("SUN");
		assertThat(NativeSha256.install()).isEmpty();
		assertThat(Security.getProviders())
			.filteredOn((provider) -> provider.getName().equals(NativeSha256.PROVIDER_NAME))
			.hasSize(1);
	}

	@Test
	void itsDigestsAreTheJdksInOneUpdateInManyAndAfterAReset() throws Exception {
		MessageDigest jdk = MessageDigest.getInstance("SHA-256", "SUN");
		MessageDigest nativeSha256 = MessageDigest.getInstance("SHA-256");
		// FIPS 180-4's own example
		assertThat(HexFormat.of().formatHex(nativeSha256.digest("abc".getBytes(StandardCharsets.US_ASCII))))
			.isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
		Random random = new Random(42);
		for (int size : new int[] { 0, 1, 55, 56, 63, 64, 65, 1000, 1 << 16, (1 << 20) + 7 }) {
			byte[] bytes = new byte[size];
			random.nextBytes(bytes);
			byte[] expected = jdk.digest(bytes);
			assertThat(nativeSha256.digest(bytes)).as("%d bytes in one update", size).isEqualTo(expected);
			for (int offset = 0; offset < size; offset += 1 + offset / 3) {
				nativeSha256.update(bytes, offset, Math.min(size, offset + 1 + offset / 3) - offset);
			}
			assertThat(nativeSha256.digest()).as("%d bytes in many updates", size).isEqualTo(expected);
			nativeSha256.update(bytes);
			nativeSha256.reset();
			assertThat(nativeSha256.digest(bytes)).as("%d bytes after a reset", size).isEqualTo(expected);
		}
	}

}
