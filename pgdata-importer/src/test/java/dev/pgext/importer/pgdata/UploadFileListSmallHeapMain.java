package dev.pgext.importer.pgdata;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run by {@link UploadFileListTests} in a JVM with a small heap: reads a stored status
 * object's {@code done} and walks its file list, printing what it saw.
 */
final class UploadFileListSmallHeapMain {

	private UploadFileListSmallHeapMain() {
	}

	public static void main(String[] args) {
		Path status = Path.of(args[0]);
		AtomicLong files = new AtomicLong();
		AtomicLong bytes = new AtomicLong();
		boolean listed = UploadFileList.files(status, (check) -> {
			files.incrementAndGet();
			bytes.addAndGet(check.size());
		});
		System.out.println("done " + UploadFileList.done(status) + " listed " + listed + " files " + files.get()
				+ " bytes " + bytes.get());
	}

}
