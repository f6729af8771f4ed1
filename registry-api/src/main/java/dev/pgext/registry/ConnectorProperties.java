package dev.pgext.registry;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The registry's HTTP connector beyond what {@code server.tomcat.*} offers.
 *
 * @param socketWriteBuffer the connector's per-connection socket write buffer (Tomcat's
 * {@code socket.appWriteBufSize}): a response body larger than this reaches the socket in
 * several {@code write} calls, one per buffer; it is allocated for every open connection,
 * so it bounds memory at {@code server.tomcat.max-connections} times this size
 */
@ConfigurationProperties("pgext.registry.connector")
@Validated
public record ConnectorProperties(@NotNull @DefaultValue("8KB") DataSize socketWriteBuffer) {
}
