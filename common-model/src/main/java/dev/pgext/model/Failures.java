package dev.pgext.model;

import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * A failure in words for the person who ran a command. The JDK's own exceptions often say
 * too little: a file system exception may carry only its path
 * ({@code NoSuchFileException:
 * /x}), and an HTTP client's {@code ConnectException} no message at all around the
 * refused connection or the unknown host it wraps.
 */
public final class Failures {

	private Failures() {
	}

	/**
	 * The failure's message; for a file system failure that names only its path, that
	 * path and the reason its type stands for; for one without a message, the first
	 * message of its causes, else the name of its type.
	 */
	public static String describe(Throwable failure) {
		if (failure instanceof FileSystemException files && files.getReason() == null) {
			String where = (files.getFile() != null) ? files.getFile() : "";
			if (files.getOtherFile() != null) {
				where += " -> " + files.getOtherFile();
			}
			return (where.isEmpty() ? "" : where + ": ") + reason(files);
		}
		String message = failure.getMessage();
		if (message != null && !message.isBlank()) {
			return message;
		}
		for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
			if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
				return failure.getClass().getSimpleName() + " (unknown host)";
			}
			if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
				return failure.getClass().getSimpleName() + " (" + describe(cause) + ")";
			}
		}
		return failure.getClass().getSimpleName();
	}

	private static String reason(FileSystemException failure) {
		if (failure instanceof NoSuchFileException) {
			return "no such file or directory";
		}
		if (failure instanceof FileAlreadyExistsException) {
			return "already exists";
		}
		if (failure instanceof NotDirectoryException) {
			return "not a directory";
		}
		if (failure instanceof DirectoryNotEmptyException) {
			return "directory not empty";
		}
		if (failure instanceof AccessDeniedException) {
			return "permission denied";
		}
		if (failure instanceof FileSystemLoopException) {
			return "too many levels of symbolic links";
		}
		return failure.getClass().getSimpleName();
	}

}
