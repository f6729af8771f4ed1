package dev.pgext.importer.run;

import java.io.InputStream;
import java.util.Objects;

import dev.pgext.importer.plan.ManifestEntry;

/**
 * Reads the input files of one import, each read checked against the frozen manifest: the
 * request is conditional on the listed ETag, the answer must carry that ETag and the
 * listed size, and nothing past the listed size is ever requested. It holds no file list:
 * every read names the file as the manifest froze it (the plan's tasks carry it).
 */
final class InputReader {

	private final S3Reads reads;

	private final String bucket;

	private final String pgdataPrefix;

	InputReader(S3Reads reads, String bucket, String pgdataPrefix) {
		this.reads = reads;
		this.bucket = bucket;
		this.pgdataPrefix = pgdataPrefix;
	}

	/** A whole file; the caller has checked its listed size is small. */
	byte[] readWhole(ManifestEntry entry) {
		if (entry.size() == 0) {
			return new byte[0];
		}
		return read(entry, 0, (int) entry.size());
	}

	/**
	 * A whole file as a stream, read range by range ({@code rangeBytes} at a time, each
	 * read checked like {@link #read}), so that only one range is held at once however
	 * large the file.
	 */
	InputStream stream(ManifestEntry entry, int rangeBytes) {
		long size = entry.size();
		return new InputStream() {

			private byte[] range = new byte[0];

			private int at;

			private long next;

			@Override
			public int read() {
				byte[] one = new byte[1];
				return (read(one, 0, 1) < 0) ? -1 : (one[0] & 0xff);
			}

			@Override
			public int read(byte[] b, int off, int len) {
				if (len == 0) {
					return 0;
				}
				if (this.at == this.range.length) {
					if (this.next == size) {
						return -1;
					}
					int length = (int) Math.min(rangeBytes, size - this.next);
					this.range = InputReader.this.read(entry, this.next, length);
					this.next += length;
					this.at = 0;
				}
				int n = Math.min(len, this.range.length - this.at);
				System.arraycopy(this.range, this.at, b, off, n);
				this.at += n;
				return n;
			}

		};
	}

	/**
	 * {@code length} bytes of a file from {@code offset}; the range must lie inside the
	 * listed size.
	 */
	byte[] read(ManifestEntry entry, long offset, int length) {
		return read(entry, offset, length, null);
	}

	/**
	 * Reads like {@link #read(ManifestEntry, long, int)}, into the first {@code length}
	 * bytes of {@code into} when it is not null.
	 */
	byte[] read(ManifestEntry entry, long offset, int length, byte[] into) {
		String path = entry.path();
		if (offset < 0 || length <= 0 || offset + length > entry.size()) {
			throw new ImportFailedException("read of '" + path + "' at " + offset + "+" + length
					+ " is outside its listed size " + entry.size());
		}
		S3Reads.Result result = this.reads.get(this.bucket, this.pgdataPrefix + path, new long[] { offset, length },
				entry.etag(), length, into);
		if (result.miss() == S3Reads.Miss.NOT_FOUND) {
			throw new ImportFailedException(
					"input changed after the manifest was frozen: 'pgdata/" + path + "' was deleted");
		}
		if (result.miss() == S3Reads.Miss.CHANGED) {
			throw changed(path, "no longer has ETag " + entry.etag());
		}
		S3Reads.Fetched fetched = result.fetched();
		if (entry.etag() != null && fetched.etag() != null && !Objects.equals(entry.etag(), fetched.etag())) {
			throw changed(path, "has ETag " + fetched.etag() + " instead of " + entry.etag());
		}
		if (fetched.totalSize() >= 0 && fetched.totalSize() != entry.size()) {
			throw changed(path, "has " + fetched.totalSize() + " bytes instead of " + entry.size());
		}
		if (fetched.length() != length) {
			throw changed(path, "returned " + fetched.length() + " bytes for a read of " + length);
		}
		return fetched.bytes();
	}

	private static ImportFailedException changed(String path, String how) {
		return new ImportFailedException("input changed after the manifest was frozen: 'pgdata/" + path + "' " + how);
	}

}
