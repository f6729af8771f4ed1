package dev.pgext.importer.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;

import dev.pgext.importer.ImporterProperties;

/**
 * The web slice the route tests share: both controllers, the problem advice, and the
 * shard layout the Neon route checks shard counts against (a tenant with four shards).
 * Classes with this annotation and the same {@code @MockitoBean ImportService imports}
 * field get one application context from Spring's test context cache instead of one each.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@WebMvcTest(controllers = { TimelineController.class, NeonTimelineController.class },
		properties = { "pgext.importer.s3.bucket=unused",
				"pgext.importer.tenants.fedcba9876543210fedcba9876543210.count=4" })
@Import(ApiSliceTest.ShardLayout.class)
@interface ApiSliceTest {

	/** The importer's properties, which hold the shard layout. */
	@TestConfiguration(proxyBeanMethods = false)
	@EnableConfigurationProperties(ImporterProperties.class)
	class ShardLayout {

	}

}
