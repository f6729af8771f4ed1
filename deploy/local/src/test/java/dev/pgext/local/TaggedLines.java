package dev.pgext.local;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

/**
 * Keeps every log line of the tests with the tag the local stack's log pattern gives it
 * ({@code logback-test.xml} attaches it, so it survives Spring Boot re-reading the
 * logging configuration when a service starts).
 */
public class TaggedLines extends AppenderBase<ILoggingEvent> {

	private static final List<String[]> LINES = new CopyOnWriteArrayList<>();

	private static volatile boolean recording;

	private final ServiceLogTag tag = new ServiceLogTag();

	@Override
	protected void append(ILoggingEvent event) {
		if (recording) {
			// the tag depends on the logging thread: take it now, as the console appender
			// does
			LINES.add(new String[] { this.tag.convert(event), event.getFormattedMessage() });
		}
	}

	/** Forgets what was kept and keeps what is logged from now on. */
	static void startRecording() {
		LINES.clear();
		recording = true;
	}

	static void stopRecording() {
		recording = false;
	}

	/** The messages of the lines tagged {@code service}. */
	static List<String> taggedWith(String service) {
		return LINES.stream().filter((l) -> l[0].equals(service)).map((l) -> l[1]).toList();
	}

}
