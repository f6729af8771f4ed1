package dev.pgext.registry;

import java.sql.SQLException;
import java.util.List;

import org.postgresql.util.PGobject;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.converter.Converter;
import org.springframework.data.convert.ReadingConverter;
import org.springframework.data.convert.WritingConverter;
import org.springframework.data.jdbc.core.convert.JdbcCustomConversions;
import org.springframework.data.jdbc.core.dialect.JdbcDialect;

/**
 * Spring Data JDBC for the catalog aggregates: the dialect's own conversions plus
 * {@code jsonb} columns read and written as {@link Jsonb}.
 */
@Configuration(proxyBeanMethods = false)
class AggregateConfiguration {

	@Bean
	JdbcCustomConversions jdbcCustomConversions(JdbcDialect dialect) {
		return JdbcCustomConversions.of(dialect, List.of(new JsonbWriter(), new JsonbReader()));
	}

	@WritingConverter
	static class JsonbWriter implements Converter<Jsonb, PGobject> {

		@Override
		public PGobject convert(Jsonb source) {
			PGobject json = new PGobject();
			json.setType("jsonb");
			try {
				json.setValue(source.text());
			}
			catch (SQLException ex) {
				throw new IllegalArgumentException(ex);
			}
			return json;
		}

	}

	@ReadingConverter
	static class JsonbReader implements Converter<PGobject, Jsonb> {

		@Override
		public Jsonb convert(PGobject source) {
			return new Jsonb(source.getValue());
		}

	}

}
