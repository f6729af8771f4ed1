package dev.pgext.service.problem;

import java.lang.reflect.Field;

import com.fasterxml.jackson.annotation.JsonProperty;

import org.springframework.core.ResolvableType;
import org.springframework.util.ReflectionUtils;

/**
 * A request body's property path as its client spells it: bean validation names a field
 * by its Java path ({@code importPgdata.location.prefix}), the client sent
 * {@code import_pgdata.location.prefix}. A problem's detail names the latter.
 */
public final class RequestBodyPaths {

	private RequestBodyPaths() {
	}

	/**
	 * {@code path} of a body of type {@code root} with each Java name replaced by the
	 * name of its {@code @JsonProperty}; a segment without one, or below a type that is
	 * not known, stays as it is.
	 * @param root the body's type, {@code null} when not known
	 * @param path a Spring binding path such as {@code a.b[0].c}
	 */
	public static String of(Class<?> root, String path) {
		StringBuilder json = new StringBuilder();
		Class<?> type = root;
		for (String segment : path.split("\\.")) {
			int bracket = segment.indexOf('[');
			String name = (bracket >= 0) ? segment.substring(0, bracket) : segment;
			String index = (bracket >= 0) ? segment.substring(bracket) : "";
			Field field = (type != null) ? ReflectionUtils.findField(type, name) : null;
			JsonProperty property = (field != null) ? field.getAnnotation(JsonProperty.class) : null;
			json.append(json.isEmpty() ? "" : ".")
				.append((property != null && !property.value().isEmpty()) ? property.value() : name)
				.append(index);
			if (field == null) {
				type = null;
			}
			else {
				ResolvableType declared = ResolvableType.forField(field);
				type = (index.isEmpty() ? declared : declared.getNested(2)).resolve();
			}
		}
		return json.toString();
	}

}
