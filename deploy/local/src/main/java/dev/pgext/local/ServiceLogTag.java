package dev.pgext.local;

import java.util.Map;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The {@code %service} conversion word of the local stack's log pattern: the name of the
 * service a log line comes from. The services' own packages name it; any other logger
 * (Spring, Tomcat, Hikari) is named by the service whose thread group the logging thread
 * belongs to; what is left is the stack's own.
 */
public class ServiceLogTag extends ClassicConverter {

	static final String STACK = "local-stack";

	private static final Map<String, String> PACKAGES = Map.of("dev.pgext.registry.", "registry-api",
			"dev.pgext.loader.", "extension-loader", "dev.pgext.importer.", "pgdata-importer");

	@Override
	public String convert(ILoggingEvent event) {
		return service(event.getLoggerName(), ServiceThreads.currentService());
	}

	static String service(String loggerName, String threadService) {
		if (loggerName != null) {
			for (Map.Entry<String, String> entry : PACKAGES.entrySet()) {
				if (loggerName.startsWith(entry.getKey())) {
					return entry.getValue();
				}
			}
		}
		return (threadService != null) ? threadService : STACK;
	}

}
