package dev.pgext.registry.projection;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import dev.pgext.model.PgMajor;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;

/**
 * Writes an {@code ext_index.json} from its entries as kept bytes, so that an index of
 * thousands of extensions is not serialized whole when a few change (the store's index of
 * each scope, major and platform, and the mirror's copy of the public one). The result
 * has the bytes {@link ExtIndexJson#writeCompact} gives the whole index
 * ({@code ExtIndexDocumentTests} compares the two): the compact writer puts the entries,
 * its last member, between {@code [} and {@code ]} separated by commas.
 */
public final class ExtIndexDocument {

	private static final byte[] CLOSE = "]}".getBytes(StandardCharsets.UTF_8);

	private ExtIndexDocument() {
	}

	/**
	 * The bytes {@code entry} has in an index of {@code major} (whatever its tenant: the
	 * entries come after every other member).
	 */
	public static byte[] element(PgMajor major, ExtIndexEntry entry) {
		byte[] head = head(major, null);
		byte[] one = ExtIndexJson.writeCompact(ExtIndex.of(major, null, List.of(entry)));
		if (!Arrays.equals(one, 0, head.length, head, 0, head.length)) {
			throw new IllegalStateException("ext_index.json does not end with its extensions as assumed here");
		}
		return Arrays.copyOfRange(one, head.length, one.length - CLOSE.length);
	}

	/**
	 * The public index of {@code major} holding {@code entries} (each from
	 * {@link #element}), in name order.
	 */
	public static byte[] write(PgMajor major, Collection<byte[]> entries) {
		return write(major, null, entries);
	}

	/**
	 * The index of {@code major} and {@code tenant} ({@code null} for the public scope)
	 * holding {@code entries} (each from {@link #element}), in name order.
	 */
	public static byte[] write(PgMajor major, TenantId tenant, Collection<byte[]> entries) {
		byte[] head = head(major, tenant);
		int size = head.length + CLOSE.length;
		for (byte[] entry : entries) {
			size += entry.length + 1;
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream(size);
		out.writeBytes(head);
		boolean first = true;
		for (byte[] entry : entries) {
			if (!first) {
				out.write(',');
			}
			out.writeBytes(entry);
			first = false;
		}
		out.writeBytes(CLOSE);
		return out.toByteArray();
	}

	/** The index without entries, up to and with the array's opening bracket. */
	private static byte[] head(PgMajor major, TenantId tenant) {
		byte[] empty = ExtIndexJson.writeCompact(ExtIndex.of(major, tenant, List.of()));
		int end = empty.length - CLOSE.length;
		if (end < 1 || empty[end - 1] != '[' || !Arrays.equals(empty, end, empty.length, CLOSE, 0, CLOSE.length)) {
			throw new IllegalStateException("ext_index.json does not end with its extensions as assumed here");
		}
		return Arrays.copyOf(empty, end);
	}

}
