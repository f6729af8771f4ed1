package dev.pgext.model.index;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Whether an extension's library must be loaded before use.
 */
public enum PreloadNeed {

	/** Must be in {@code shared_preload_libraries} (the postmaster loads it at start). */
	SERVER("server"),

	/** Meant for {@code session_preload_libraries} (each backend loads it at start). */
	SESSION("session"),

	/** Loaded on demand, if at all. */
	NONE("none");

	private final String json;

	PreloadNeed(String json) {
		this.json = json;
	}

	@JsonValue
	public String json() {
		return this.json;
	}

	public static PreloadNeed parse(String text) {
		if (text == null || text.isBlank()) {
			return NONE;
		}
		for (PreloadNeed need : values()) {
			if (need.json.equalsIgnoreCase(text.strip())) {
				return need;
			}
		}
		throw new IllegalArgumentException("preload must be one of server, session, none (got '" + text + "')");
	}

}
