package dev.pgext.loader.hook;

import java.io.IOException;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The hook built against PostgreSQL 17's headers, loaded into the PostgreSQL 17 binaries.
 */
@HookMajor(PgextLoaderHookPg17IntegrationTests.MAJOR)
class PgextLoaderHookPg17IntegrationTests extends PgextLoaderHookIntegrationTests {

	static final int MAJOR = 17;

	private static HookCompute compute;

	@DynamicPropertySource
	static void compute(DynamicPropertyRegistry registry) throws IOException {
		compute = HookCompute.prepare(MAJOR, PgextLoaderHookPg17IntegrationTests.class, registry);
	}

	@Override
	HookCompute compute() {
		return compute;
	}

}
