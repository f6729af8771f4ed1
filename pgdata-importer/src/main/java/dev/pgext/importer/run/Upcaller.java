package dev.pgext.importer.run;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import io.github.resilience4j.retry.Retry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.http.MediaType;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import dev.pgext.importer.ImporterProperties;
import dev.pgext.model.json.DocumentJson;
import dev.pgext.model.store.Backoff;

/**
 * Tells the control plane that a shard's import ended: {@code PUT} to the configured URL,
 * retried with capped exponential backoff until a 2xx answer. Delivery is at least once;
 * the receiver must treat repeats as one.
 */
final class Upcaller {

	private static final Logger log = LoggerFactory.getLogger(Upcaller.class);

	private static final JsonMapper JSON = DocumentJson.COMPACT;

	private final ImporterProperties.Upcall settings;

	private final RestClient http;

	/**
	 * An upcaller that asks with {@code http}, each attempt (connecting included) limited
	 * to the configured timeout.
	 */
	Upcaller(ImporterProperties.Upcall settings, RestClient.Builder http) {
		this.settings = settings;
		this.http = http
			.requestFactory(ClientHttpRequestFactoryBuilder.jdk()
				.build(HttpClientSettings.defaults().withTimeouts(settings.timeout(), settings.timeout())))
			.build();
	}

	boolean configured() {
		return this.settings.url() != null;
	}

	/**
	 * Delivers the final state of {@code part}; returns when acknowledged.
	 * @param stopped polled between attempts; when it says true the delivery is abandoned
	 */
	void deliver(IndexPart part, BooleanSupplier stopped) throws InterruptedException {
		URI url = this.settings.url();
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("tenant_id", part.tenantId());
		body.put("timeline_id", part.timelineId());
		body.put("shard", part.id().shard().slug());
		body.put("shard_number", part.shard().number());
		body.put("shard_count", part.shard().count());
		body.put("state", JSON.convertValue(part.importPgdata().state(), String.class));
		body.put("error", part.importPgdata().error());
		byte[] content = JSON.writeValueAsBytes(body);
		AtomicInteger attempts = new AtomicInteger();
		Retry retry = Backoff.retry("importer-upcall", Integer.MAX_VALUE, this.settings.initialBackoff(),
				this.settings.maxBackoff(), (ex) -> (ex instanceof IOException || ex instanceof Refused)
						&& !Thread.currentThread().isInterrupted());
		try {
			retry.executeCallable(() -> {
				if (stopped.getAsBoolean()) {
					throw new ImportStoppedException("upcall abandoned: the import is no longer ours");
				}
				int attempt = attempts.incrementAndGet();
				try {
					int status = this.http.put()
						.uri(url)
						.contentType(MediaType.APPLICATION_JSON)
						.body(content)
						.exchange((request, response) -> response.getStatusCode().value());
					if (status / 100 != 2) {
						log.warn("Import {} upcall attempt {} answered {}", part.id(), attempt, status);
						throw new Refused(status);
					}
				}
				catch (ResourceAccessException ex) {
					IOException failure = (ex.getCause() instanceof IOException cause) ? cause : new IOException(ex);
					log.warn("Import {} upcall attempt {} failed: {}", part.id(), attempt, failure.toString());
					throw failure;
				}
				log.info("Import {} upcall delivered after {} attempt(s)", part.id(), attempt);
				return null;
			});
		}
		catch (InterruptedException | ImportStoppedException ex) {
			throw ex;
		}
		catch (Exception ex) {
			if (Thread.currentThread().isInterrupted()) {
				throw new InterruptedException("upcall interrupted");
			}
			throw new IllegalStateException("upcall stopped retrying: " + ex, ex);
		}
	}

	/** The control plane answered, but not with a 2xx. */
	private static final class Refused extends RuntimeException {

		Refused(int status) {
			super("answered " + status, null, false, false);
		}

	}

}
