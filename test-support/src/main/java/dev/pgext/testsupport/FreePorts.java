package dev.pgext.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * Loopback ports nobody listens on, for servers a test starts itself (a Postgres cluster,
 * a child service, a stub receiver). Other test JVMs (another module's, another build's)
 * may run at the same time, so a test never picks a fixed port.
 * <p>
 * The kernel may hand a port that one test JVM took and released to another JVM asking
 * for a free port a moment later. So each port handed out is also reserved with a file
 * lock under {@code java.io.tmpdir/pgext-free-ports} that this JVM holds until it exits:
 * no two test JVMs on the machine (modules testing side by side, or other builds) are
 * handed the same port.
 */
public final class FreePorts {

	private static final Path RESERVATIONS = Path.of(System.getProperty("java.io.tmpdir"), "pgext-free-ports");

	private static final int ATTEMPTS = 50;

	/**
	 * Held until the JVM exits, which releases the locks. A channel to a file this JVM
	 * holds a lock on is never opened and closed again: closing it would release the
	 * lock.
	 */
	private static final List<FileChannel> HELD = new ArrayList<>();

	private static final Set<Integer> RESERVED = new HashSet<>();

	private FreePorts() {
	}

	/**
	 * A port on 127.0.0.1 that was free a moment ago, chosen by the kernel, and handed to
	 * no other test JVM.
	 */
	public static int any() {
		return any(FreePorts::kernelChoice);
	}

	/** The first candidate that no test JVM reserved yet, now reserved for this one. */
	static synchronized int any(IntSupplier candidates) {
		for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
			int port = candidates.getAsInt();
			if (!RESERVED.contains(port) && reserve(port)) {
				RESERVED.add(port);
				return port;
			}
		}
		throw new IllegalStateException("no free loopback port after " + ATTEMPTS + " attempts");
	}

	static int kernelChoice() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("no free loopback port: " + ex.getMessage(), ex);
		}
	}

	private static boolean reserve(int port) {
		try {
			Files.createDirectories(RESERVATIONS);
			FileChannel channel = FileChannel.open(RESERVATIONS.resolve(Integer.toString(port)),
					StandardOpenOption.CREATE, StandardOpenOption.WRITE);
			FileLock lock = channel.tryLock();
			if (lock == null) {
				channel.close();
				return false;
			}
			HELD.add(channel);
			return true;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("could not reserve port " + port + ": " + ex.getMessage(), ex);
		}
	}

}
