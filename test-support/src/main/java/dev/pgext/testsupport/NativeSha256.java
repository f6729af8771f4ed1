package dev.pgext.testsupport;

import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * SHA-256 in native code for the test JVMs. They run C1 only (the parent pom's
 * {@code argLine}), and C1 has no intrinsic for SHA-256: the JDK's implementation then
 * runs as compiled Java at about 130 MiB/s on this project's machines, against about 1.1
 * GiB/s in a production JVM, whose C2 compiles it to the CPU's SHA instructions. The
 * bundle builder's tests hash every file of several Postgres installations many times
 * (build, publish, fetch and verify each check a tree), and that hashing was half of
 * their CPU. A JUnit Platform launcher listener, registered in {@code META-INF/services}
 * for every test JVM with test-support on its class path: when the launcher's session
 * opens it puts first among the JDK's providers one that offers {@code SHA-256} and
 * nothing else, computed by the Amazon Corretto Crypto Provider (AWS-LC). Every other
 * algorithm, and SHA-256 where that provider cannot load (another platform than Linux
 * x86-64), stays the JDK's. The digests are the same bytes (FIPS 180-4); the test of this
 * class checks them against the JDK's. {@code -Dpgext.test.native-sha256=false} in a test
 * JVM's command line leaves the JDK's alone.
 */
public final class NativeSha256 implements LauncherSessionListener {

	/** The system property that turns this off when {@code false}. */
	public static final String PROPERTY = "pgext.test.native-sha256";

	/** The name the provider is registered under. */
	public static final String PROVIDER_NAME = "pgext-test-native-sha256";

	@Override
	public void launcherSessionOpened(LauncherSession session) {
		if (!"false".equals(System.getProperty(PROPERTY))) {
			install().ifPresent((reason) -> System.err
				.println("The JDK's SHA-256 stays in this test JVM: the native one did not load (" + reason + ")"));
		}
	}

	/**
	 * Puts the native SHA-256 first, once; what it leaves in place where the native
	 * provider cannot load is the JDK's, and then this says why.
	 * @return the reason the native SHA-256 is not in use, empty when it is
	 */
	static synchronized Optional<String> install() {
		if (Security.getProvider(PROVIDER_NAME) != null) {
			return Optional.empty();
		}
		Provider.Service nativeSha256;
		try {
			AmazonCorrettoCryptoProvider.INSTANCE.assertHealthy();
			nativeSha256 = AmazonCorrettoCryptoProvider.INSTANCE.getService("MessageDigest", "SHA-256");
		}
		catch (RuntimeException | LinkageError ex) {
			return Optional.of(String.valueOf(ex));
		}
		if (nativeSha256 == null) {
			return Optional.of("the Amazon Corretto Crypto Provider offers no SHA-256");
		}
		Security.insertProviderAt(new Sha256Only(nativeSha256), 1);
		return Optional.empty();
	}

	/** A provider of one service, {@code MessageDigest.SHA-256}, made by another's. */
	private static final class Sha256Only extends Provider {

		private static final long serialVersionUID = 1L;

		Sha256Only(Provider.Service nativeSha256) {
			super(PROVIDER_NAME, "1", "SHA-256 of the Amazon Corretto Crypto Provider, for test JVMs");
			putService(new Service(this, "MessageDigest", "SHA-256", nativeSha256.getClassName(), List.of(), Map.of()) {

				@Override
				public Object newInstance(Object parameter) throws NoSuchAlgorithmException {
					return nativeSha256.newInstance(parameter);
				}

			});
		}

	}

}
