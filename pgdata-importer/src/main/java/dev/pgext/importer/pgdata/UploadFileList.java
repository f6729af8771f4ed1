package dev.pgext.importer.pgdata;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.model.json.DocumentJson;

/**
 * The upload's {@code status/pgdata} object: {@code {"done": true}} once the upload is
 * complete, optionally with the file list {@code "files": [{"path": "base/5/1259",
 * "size": 81920, "sha256": "…"}, …]}, paths relative to the PGDATA root. Read with a
 * streaming parser, one file entry at a time, from a local copy of the object or bytes
 * already in memory: the list is never held.
 */
public final class UploadFileList {

	private static final String SOURCE = "the file list of 'status/pgdata'";

	/** Reads one entry at a time inside the open document. */
	private static final JsonMapper JSON = DocumentJson.COMPACT.rebuild()
		.disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.build();

	private UploadFileList() {
	}

	/**
	 * Whether {@code status} says the upload is done; its file list is skipped unread. An
	 * object without {@code done} is not done yet.
	 * @throws InvalidPgdataException when it is not a JSON object, or its {@code done} is
	 * not {@code true} or {@code false}
	 */
	public static boolean done(byte[] status) {
		return done(new ByteArrayInputStream(status));
	}

	/**
	 * Whether the status object stored in {@code status} says the upload is done; its
	 * file list is skipped unread. An object without {@code done} is not done yet.
	 * @throws InvalidPgdataException when it is not a JSON object, or its {@code done} is
	 * not {@code true} or {@code false}
	 */
	public static boolean done(Path status) {
		try (InputStream in = Files.newInputStream(status)) {
			return done(in);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static boolean done(InputStream status) {
		boolean[] done = new boolean[1];
		read(status, (value) -> done[0] = value, null);
		return done[0];
	}

	/**
	 * Hands every entry of the file list in {@code status} to {@code onFile}, one at a
	 * time.
	 * @return whether the object has a file list
	 * @throws InvalidPgdataException when the list or one of its entries is malformed
	 */
	public static boolean files(byte[] status, Consumer<FileCheck> onFile) {
		return read(new ByteArrayInputStream(status), (value) -> {
		}, onFile);
	}

	/**
	 * Hands every entry of the file list of the status object stored in {@code status} to
	 * {@code onFile}, one at a time, as it is read from the file.
	 * @return whether the object has a file list
	 * @throws InvalidPgdataException when the list or one of its entries is malformed
	 */
	public static boolean files(Path status, Consumer<FileCheck> onFile) {
		try (InputStream in = Files.newInputStream(status)) {
			return read(in, (value) -> {
			}, onFile);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static boolean read(InputStream status, Consumer<Boolean> onDone, Consumer<FileCheck> onFile) {
		boolean hasFiles = false;
		try (JsonParser p = JSON.createParser(status)) {
			if (p.nextToken() != JsonToken.START_OBJECT) {
				throw new InvalidPgdataException("'status/pgdata' is not a JSON object like {\"done\": true}");
			}
			while (p.nextToken() == JsonToken.PROPERTY_NAME) {
				String name = p.currentName();
				JsonToken value = p.nextToken();
				if (name.equals("done")) {
					if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE) {
						throw new InvalidPgdataException(
								"'status/pgdata' has \"done\": " + found(p, value) + ", not true or false");
					}
					onDone.accept(value == JsonToken.VALUE_TRUE);
				}
				else if (name.equals("files") && onFile != null && value != JsonToken.VALUE_NULL) {
					if (value != JsonToken.START_ARRAY) {
						throw new InvalidPgdataException(SOURCE + " is not an array");
					}
					hasFiles = true;
					JsonToken entry;
					while ((entry = p.nextToken()) != JsonToken.END_ARRAY) {
						if (entry != JsonToken.START_OBJECT) {
							throw new InvalidPgdataException(SOURCE + " has an entry that is not an object");
						}
						onFile.accept(check(JSON.readTree(p)));
					}
				}
				else {
					p.skipChildren();
				}
			}
		}
		catch (JacksonException ex) {
			throw new InvalidPgdataException("'status/pgdata' is not a JSON object like {\"done\": true}");
		}
		return hasFiles;
	}

	/** What a JSON value is, for a reason: the value itself when it is short. */
	private static String found(JsonParser p, JsonToken value) {
		return switch (value) {
			case START_OBJECT -> "an object";
			case START_ARRAY -> "an array";
			case VALUE_NULL -> "null";
			case VALUE_STRING -> "the string " + quoted(p.getString());
			case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + shortened(p.getString());
			default -> value.name();
		};
	}

	private static String quoted(String text) {
		return "\"" + shortened(text.replace("\\", "\\\\").replace("\"", "\\\"")) + "\"";
	}

	private static String shortened(String text) {
		return (text.length() > 40) ? text.substring(0, 40) + "…" : text;
	}

	private static FileCheck check(JsonNode file) {
		String path = file.path("path").asString("");
		if (!file.path("size").isIntegralNumber()) {
			throw new InvalidPgdataException(SOURCE + " lists '" + path + "' without a size");
		}
		boolean hasSha = file.hasNonNull("sha256");
		return new FileCheck(path, file.path("size").asLong(),
				hasSha ? ChecksumAlgorithm.SHA256 : ChecksumAlgorithm.NONE,
				hasSha ? file.path("sha256").asString("") : "", SOURCE);
	}

}
