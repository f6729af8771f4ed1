package dev.pgext.registry;

import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Applies {@link ConnectorProperties} to the embedded Tomcat's connector.
 */
@Configuration(proxyBeanMethods = false)
class ConnectorConfiguration {

	@Bean
	TomcatConnectorCustomizer socketWriteBuffer(ConnectorProperties properties) {
		return (connector) -> {
			String size = Long.toString(properties.socketWriteBuffer().toBytes());
			if (!connector.setProperty("socket.appWriteBufSize", size)) {
				throw new IllegalStateException("the connector " + connector + " has no socket.appWriteBufSize");
			}
		};
	}

}
