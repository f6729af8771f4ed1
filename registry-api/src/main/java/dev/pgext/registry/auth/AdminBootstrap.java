package dev.pgext.registry.auth;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import dev.pgext.registry.RegistryProperties;
import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.caller.Caller;

/**
 * Creates the configured administrator and its token at start, so a fresh registry has
 * someone who can create users and hand out tokens. Starting twice with the same
 * configuration changes nothing.
 */
@Component
class AdminBootstrap implements ApplicationRunner {

	private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);

	private final RegistryProperties properties;

	private final JdbcClient jdbc;

	private final AuditLog audit;

	AdminBootstrap(RegistryProperties properties, JdbcClient jdbc, AuditLog audit) {
		this.properties = properties;
		this.jdbc = jdbc;
		this.audit = audit;
	}

	@Override
	@Transactional
	public void run(ApplicationArguments args) {
		RegistryProperties.Admin admin = this.properties.admin();
		if (admin.token() == null || admin.token().isBlank()) {
			log.info("No administrator token configured (pgext.registry.admin.token); none bootstrapped");
			return;
		}
		this.jdbc.sql("insert into registry_user (name) values (?) on conflict (name) do nothing")
			.param(admin.name())
			.update();
		long userId = this.jdbc.sql("select id from registry_user where name = ?")
			.param(admin.name())
			.query(Long.class)
			.single();
		// several instances may start at once with the same configuration: the first
		// insert wins, the rest do nothing
		Long id = this.jdbc.sql(
				"insert into api_token (user_id, token_hash, label, scopes) values (?, ?, 'bootstrap administrator', ?) "
						+ "on conflict (token_hash) do nothing returning id")
			.params(userId, Tokens.hash(admin.token()), Caller.ALL_SCOPES.stream().sorted().toArray(String[]::new))
			.query(Long.class)
			.optional()
			.orElse(null);
		if (id != null) {
			this.audit.record("system", "token.bootstrap", admin.name(), Map.of("token_id", id));
			log.info("Bootstrapped administrator '{}' with the configured token", admin.name());
		}
	}

}
