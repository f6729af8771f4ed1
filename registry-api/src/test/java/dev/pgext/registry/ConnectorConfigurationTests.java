package dev.pgext.registry;

import org.apache.catalina.connector.Connector;
import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ConnectorConfigurationTests {

	@Test
	void theConfiguredSocketWriteBufferReachesTheConnector() {
		Connector connector = new Connector("HTTP/1.1");
		new ConnectorConfiguration().socketWriteBuffer(new ConnectorProperties(DataSize.ofKilobytes(96)))
			.customize(connector);
		assertThat(connector.getProperty("socket.appWriteBufSize")).hasToString("98304");
	}

	@Test
	void aBufferTooSmallOrTooLargeIsRefusedAtStart() {
		assertThatIllegalArgumentException().isThrownBy(() -> new ConnectorProperties(DataSize.ofBytes(0)))
			.withMessageContaining("socket-write-buffer");
		assertThatIllegalArgumentException().isThrownBy(() -> new ConnectorProperties(DataSize.ofGigabytes(1)))
			.withMessageContaining("between 1KB and 16MB");
	}

}
