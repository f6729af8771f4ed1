package dev.pgext.registry.publish;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

import dev.pgext.registry.problem.RegistryException;

/**
 * A release's README: the text the web pages render from Markdown and the PGXN
 * {@code readme} template serves. It comes from the upload's {@code readme} part or, when
 * there is none, from the top directory of the release's PGXN source distribution
 * ({@code README.md}, {@code README.markdown}, {@code README} or {@code README.txt}, in
 * that order of preference, names compared without case). It is UTF-8 text of at most
 * {@link #MAX_BYTES}, which keeps a rendered page within its size budget.
 */
final class ReleaseReadme {

	static final String PART = "readme";

	/** The largest README kept, in bytes. */
	static final int MAX_BYTES = 64 * 1024;

	/**
	 * The file names taken from a source distribution's top directory, preferred first.
	 */
	static final List<String> NAMES = List.of("readme.md", "readme.markdown", "readme", "readme.txt");

	private ReleaseReadme() {
	}

	/**
	 * The README sent as the upload's {@code readme} part.
	 * @throws RegistryException 422 when it is too large or not UTF-8 text
	 */
	static String fromPart(byte[] bytes) {
		checkSize(bytes.length);
		return utf8(bytes).orElseThrow(() -> refused("is not UTF-8 text without NUL characters"));
	}

	/**
	 * Refuses a {@code readme} part of {@code size} bytes when that is over the limit.
	 * @throws RegistryException 422 when it is
	 */
	static void checkSize(long size) {
		if (size > MAX_BYTES) {
			throw refused("is " + size + " bytes; a README is at most " + MAX_BYTES + " bytes");
		}
	}

	/**
	 * The README at the top of a source distribution whose entries are all under
	 * {@code top/}; empty when it has none. A README that is too large or not UTF-8 is
	 * left out and explained in {@code notes}, rather than refusing the source
	 * distribution.
	 */
	static Optional<String> fromSource(ZipFile zip, String top, List<String> notes) throws IOException {
		ZipArchiveEntry chosen = null;
		int rank = NAMES.size();
		for (ZipArchiveEntry entry : Collections.list(zip.getEntries())) {
			String name = entry.getName();
			if (entry.isDirectory() || !name.startsWith(top + "/")) {
				continue;
			}
			int index = NAMES.indexOf(name.substring(top.length() + 1).toLowerCase(Locale.ROOT));
			if (index >= 0 && index < rank) {
				chosen = entry;
				rank = index;
			}
		}
		if (chosen == null) {
			return Optional.empty();
		}
		byte[] bytes;
		try (InputStream in = zip.getInputStream(chosen)) {
			bytes = in.readNBytes(MAX_BYTES + 1);
		}
		if (bytes.length > MAX_BYTES) {
			notes.add(chosen.getName() + " is larger than " + MAX_BYTES + " bytes and was not kept as the README");
			return Optional.empty();
		}
		Optional<String> text = utf8(bytes);
		if (text.isEmpty()) {
			notes.add(chosen.getName() + " is not UTF-8 text without NUL characters and was not kept as the README");
		}
		return text;
	}

	private static Optional<String> utf8(byte[] bytes) {
		try {
			String text = StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes))
				.toString();
			// a NUL cannot be stored in a Postgres text column
			return text.indexOf('\0') >= 0 ? Optional.empty() : Optional.of(text);
		}
		catch (CharacterCodingException ex) {
			return Optional.empty();
		}
	}

	private static RegistryException refused(String reason) {
		return RegistryException.unprocessable("invalid-readme", "part '" + PART + "' (the README) " + reason);
	}

}
