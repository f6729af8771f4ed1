package dev.pgext.importer.plan;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import dev.pgext.importer.keyspace.Key;

/**
 * The jobs of a plan in a local file, written by the planner one job at a time and read
 * back one job at a time, so that only the jobs being run are in memory. A private,
 * short-lived encoding (the plan id, not this file, is what is recorded): per job its id,
 * start and end keys and tasks, each task a tag and its fields.
 */
final class JobsFile {

	private static final int VALUE = 0;

	private static final int FILE_VALUE = 1;

	private static final int BLOCKS = 2;

	private JobsFile() {
	}

	static DataOutputStream writer(Path file) throws IOException {
		return new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
	}

	static void write(DataOutputStream out, Job job) {
		try {
			out.writeInt(job.id());
			writeKey(out, job.start());
			writeKey(out, job.end());
			out.writeInt(job.tasks().size());
			for (Task task : job.tasks()) {
				if (task instanceof Task.Value v) {
					out.writeByte(VALUE);
					writeKey(out, v.key());
					out.writeInt(v.value().length);
					out.write(v.value());
				}
				else if (task instanceof Task.FileValue f) {
					out.writeByte(FILE_VALUE);
					writeKey(out, f.key());
					writeEntry(out, f.file());
				}
				else {
					Task.Blocks b = (Task.Blocks) task;
					out.writeByte(BLOCKS);
					writeKey(out, b.firstKey());
					writeEntry(out, b.file());
					out.writeLong(b.fileBlock());
					out.writeLong(b.forkBlock());
					out.writeInt(b.count());
					out.writeBoolean(b.relation());
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The jobs in {@code file}, read lazily; closing the stream closes the file. */
	static Stream<Job> read(Path file) {
		DataInputStream in;
		try {
			in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		Iterator<Job> jobs = new Iterator<>() {

			private Job next = readJob(in);

			@Override
			public boolean hasNext() {
				return this.next != null;
			}

			@Override
			public Job next() {
				if (this.next == null) {
					throw new NoSuchElementException();
				}
				Job job = this.next;
				this.next = readJob(in);
				return job;
			}

		};
		return StreamSupport
			.stream(Spliterators.spliteratorUnknownSize(jobs, Spliterator.ORDERED | Spliterator.NONNULL), false)
			.onClose(() -> {
				try {
					in.close();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
	}

	private static Job readJob(DataInputStream in) {
		try {
			int id;
			try {
				id = in.readInt();
			}
			catch (EOFException ex) {
				return null;
			}
			Key start = readKey(in);
			Key end = readKey(in);
			int count = in.readInt();
			List<Task> tasks = new ArrayList<>(count);
			for (int i = 0; i < count; i++) {
				int tag = in.readByte();
				Key key = readKey(in);
				tasks.add(switch (tag) {
					case VALUE -> {
						byte[] value = new byte[in.readInt()];
						in.readFully(value);
						yield new Task.Value(key, value);
					}
					case FILE_VALUE -> new Task.FileValue(key, readEntry(in));
					case BLOCKS -> new Task.Blocks(key, readEntry(in), in.readLong(), in.readLong(), in.readInt(),
							in.readBoolean());
					default -> throw new IllegalStateException("jobs file has an unknown task tag " + tag);
				});
			}
			return new Job(id, start, end, List.copyOf(tasks));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void writeKey(DataOutputStream out, Key key) throws IOException {
		out.write(key.toBytes());
	}

	private static Key readKey(DataInputStream in) throws IOException {
		byte[] bytes = new byte[Key.SIZE];
		in.readFully(bytes);
		return Key.readFrom(java.nio.ByteBuffer.wrap(bytes));
	}

	private static void writeEntry(DataOutputStream out, ManifestEntry entry) throws IOException {
		out.writeUTF(entry.path());
		out.writeLong(entry.size());
		out.writeBoolean(entry.etag() != null);
		if (entry.etag() != null) {
			out.writeUTF(entry.etag());
		}
	}

	private static ManifestEntry readEntry(DataInputStream in) throws IOException {
		String path = in.readUTF();
		long size = in.readLong();
		String etag = in.readBoolean() ? in.readUTF() : null;
		return new ManifestEntry(path, size, etag);
	}

}
