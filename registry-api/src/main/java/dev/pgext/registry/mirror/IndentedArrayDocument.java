package dev.pgext.registry.mirror;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an indented JSON object whose last member is an array of objects (such as
 * {@code index.json} and its {@code extensions}) from the array's elements as kept bytes,
 * so that a document with thousands of elements that change a few at a time is not
 * serialized whole each time. The result has the bytes {@link MirrorContent#json} gives
 * the whole document ({@code IndentedArrayDocumentTests} compares the two): the writer
 * puts an array's elements on its opening line as {@code [ a, b ]}, an empty array as
 * {@code [ ]}.
 */
final class IndentedArrayDocument {

	private static final String MEMBER = "m";

	private static final byte[] OPEN = "{\n  \"m\" : [ ".getBytes(StandardCharsets.UTF_8);

	private static final byte[] CLOSE = " ]\n}".getBytes(StandardCharsets.UTF_8);

	private static final byte[] EMPTY = "[ ]\n}".getBytes(StandardCharsets.UTF_8);

	private IndentedArrayDocument() {
	}

	/**
	 * The bytes {@code element} has as an element of an array that is a member of the
	 * top-level object.
	 */
	static byte[] element(Object element) {
		byte[] wrapped = MirrorContent.json(Map.of(MEMBER, List.of(element)));
		if (!startsWith(wrapped, OPEN, 0) || !startsWith(wrapped, CLOSE, wrapped.length - CLOSE.length)) {
			throw new IllegalStateException("the JSON writer's indentation is not the one assumed here");
		}
		return Arrays.copyOfRange(wrapped, OPEN.length, wrapped.length - CLOSE.length);
	}

	/**
	 * {@code document} with the member {@code name} added last, an array of
	 * {@code elements} (each from {@link #element}).
	 */
	static byte[] write(Map<String, Object> document, String name, List<byte[]> elements) {
		Map<String, Object> empty = new LinkedHashMap<>(document);
		empty.put(name, List.of());
		byte[] head = MirrorContent.json(empty);
		if (!startsWith(head, EMPTY, head.length - EMPTY.length)) {
			throw new IllegalStateException("the JSON writer's indentation is not the one assumed here");
		}
		if (elements.isEmpty()) {
			return head;
		}
		int size = head.length;
		for (byte[] element : elements) {
			size += element.length + 2;
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream(size);
		out.write(head, 0, head.length - EMPTY.length);
		out.write('[');
		out.write(' ');
		boolean first = true;
		for (byte[] element : elements) {
			if (!first) {
				out.write(',');
				out.write(' ');
			}
			out.writeBytes(element);
			first = false;
		}
		out.writeBytes(CLOSE);
		return out.toByteArray();
	}

	private static boolean startsWith(byte[] bytes, byte[] prefix, int offset) {
		return offset >= 0 && Arrays.equals(bytes, offset, offset + prefix.length, prefix, 0, prefix.length);
	}

}
