package dev.pgext.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FreePortsTests {

	@Test
	void portsHandedOutAreDistinctAndBindable() throws IOException {
		Set<Integer> ports = new HashSet<>();
		for (int i = 0; i < 20; i++) {
			ports.add(FreePorts.any());
		}
		assertThat(ports).hasSize(20);
		int port = ports.iterator().next();
		try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
			assertThat(socket.getLocalPort()).isEqualTo(port);
		}
	}

	@Test
	void aPortThisJvmHandedOutIsNotHandedOutAgain() {
		int first = FreePorts.any();
		AtomicInteger calls = new AtomicInteger();
		int second = FreePorts.any(() -> (calls.getAndIncrement() == 0) ? first : FreePorts.kernelChoice());
		assertThat(second).isNotEqualTo(first);
	}

	@Test
	void aPortAnotherJvmHandedOutIsNotHandedOutHere() throws Exception {
		List<String> command = new ArrayList<>(ChildJvm.command());
		command.add(ReservingJvm.class.getName());
		Process other = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		try (BufferedReader out = new BufferedReader(
				new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8))) {
			int reservedThere = Integer.parseInt(out.readLine().strip());
			AtomicInteger next = new AtomicInteger();
			int here = FreePorts.any(() -> (next.getAndIncrement() == 0) ? reservedThere : FreePorts.kernelChoice());
			assertThat(here).isNotEqualTo(reservedThere);
			assertThat(next).hasValue(2);
		}
		finally {
			other.getOutputStream().close();
			assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();
		}
	}

	/** Reserves a port, prints it, and holds it until its standard input closes. */
	static final class ReservingJvm {

		public static void main(String[] args) throws IOException {
			System.out.println(FreePorts.any());
			System.out.flush();
			while (System.in.read() >= 0) {
				// hold the reservation
			}
		}

	}

}
