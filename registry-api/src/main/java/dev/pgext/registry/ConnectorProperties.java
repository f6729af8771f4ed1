package dev.pgext.registry;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The registry's HTTP connector beyond what {@code server.tomcat.*} offers.
 *
 * @param socketWriteBuffer the connector's socket write buffer (Tomcat's
 * {@code socket.appWriteBufSize}, whose own default is 8KB): a response reaches the
 * socket in one {@code write} call per buffer, so an 84 KB compute manifest takes 2
 * instead of 11, at about 60% of the CPU per request; it is heap allocated for every open
 * connection, up to {@code server.tomcat.max-connections} times this size
 */
@ConfigurationProperties("pgext.registry.connector")
@Validated
public record ConnectorProperties(@NotNull @DefaultValue("64KB") DataSize socketWriteBuffer) {

	public ConnectorProperties {
		if (socketWriteBuffer != null && (socketWriteBuffer.toBytes() < 1024
				|| socketWriteBuffer.toBytes() > DataSize.ofMegabytes(16).toBytes())) {
			throw new IllegalArgumentException(
					"pgext.registry.connector.socket-write-buffer must be between 1KB and 16MB, not "
							+ socketWriteBuffer);
		}
	}

}
