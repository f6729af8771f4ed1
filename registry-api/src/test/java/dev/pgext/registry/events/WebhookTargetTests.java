package dev.pgext.registry.events;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A webhook goes to public addresses only unless the registry is told otherwise: a
 * subscriber's URL is a user's input that the registry calls from inside its network.
 */
class WebhookTargetTests {

	@Test
	void internalAddressesAreNamedByKind() throws Exception {
		for (String internal : List.of("127.0.0.1", "127.8.9.10", "::1", "0.0.0.0", "169.254.169.254", "fe80::1",
				"10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "100.127.255.254", "0.1.2.3", "fd00::1",
				"fc12::1", "224.0.0.1", "ff02::1")) {
			assertThat(WebhookTarget.internal(InetAddress.getByName(internal))).as(internal).isNotNull();
		}
		for (String external : List.of("93.184.215.14", "100.128.0.1", "172.32.0.1", "8.8.8.8", "2606:4700::1111")) {
			assertThat(WebhookTarget.internal(InetAddress.getByName(external))).as(external).isNull();
		}
	}

	@Test
	void aUrlIsRefusedWithTheAddressItResolvesToAndHowToAllowIt() {
		assertThat(WebhookTarget.refusal(URI.create("http://169.254.169.254/latest/meta-data/")))
			.isEqualTo("its host 169.254.169.254 resolves to 169.254.169.254, a link-local address; webhooks go "
					+ "to public addresses only (pgext.registry.webhooks.allow-private-addresses)");
		assertThat(WebhookTarget.refusal(URI.create("http://localhost:8082/v1/tenants")))
			.contains("a loopback address");
		assertThat(WebhookTarget.refusal(URI.create("http://[::1]:9000/"))).contains("resolves to 0:0:0:0:0:0:0:1");
		assertThat(WebhookTarget.refusal(URI.create("https://93.184.215.14/hook"))).isNull();
	}

	@Test
	void aDeliveryToAnInternalAddressIsNotSentUnlessAllowed() throws IOException {
		AtomicInteger received = new AtomicInteger();
		HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		receiver.createContext("/hook", (exchange) -> {
			received.incrementAndGet();
			exchange.sendResponseHeaders(204, -1);
			exchange.close();
		});
		receiver.start();
		try {
			String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
			WebhookDeliverer.StoredEvent event = new WebhookDeliverer.StoredEvent(1, "release.published",
					"{}".getBytes(StandardCharsets.UTF_8));

			assertThat(deliverer(false).send(url, "at-least-16-characters", event))
				.startsWith("not sent: its host 127.0.0.1 resolves to 127.0.0.1, a loopback address");
			assertThat(received).hasValue(0);

			assertThat(deliverer(true).send(url, "at-least-16-characters", event)).isNull();
			assertThat(received).hasValue(1);
		}
		finally {
			receiver.stop(0);
		}
	}

	private static WebhookDeliverer deliverer(boolean allowPrivateAddresses) {
		WebhookProperties properties = new WebhookProperties(Duration.ofSeconds(1), Duration.ofSeconds(1), 1,
				Duration.ofSeconds(5), Duration.ofSeconds(5), allowPrivateAddresses);
		return new WebhookDeliverer(null, null, properties, RestClient.builder(), JsonMapper.builder().build());
	}

}
