package dev.pgext.cli.exit;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Why a command failed, in words for the person who ran it, and the {@link ExitCode} it
 * ends with. Commands throw it; {@link PgextCli} prints the message and exits with the
 * code.
 */
public class CliException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final int exitCode;

	public CliException(int exitCode, String message) {
		this(exitCode, message, null);
	}

	public CliException(int exitCode, String message, Throwable cause) {
		super(message, cause);
		this.exitCode = exitCode;
	}

	/** A local mistake: usage, configuration, the tree, a local check. */
	public static CliException local(String message) {
		return new CliException(ExitCode.LOCAL, message);
	}

	/**
	 * A failure's message for a person: the JDK's file system exceptions often carry only
	 * the path ({@code NoSuchFileException: /x}), so the reason their type stands for is
	 * added.
	 */
	public static String describe(Throwable failure) {
		if (failure instanceof FileSystemException files && files.getReason() == null) {
			String where = files.getFile() + ((files.getOtherFile() != null) ? " -> " + files.getOtherFile() : "");
			return (where.equals("null") ? "" : where + ": ") + reason(files);
		}
		String message = failure.getMessage();
		return (message == null || message.isBlank()) ? failure.getClass().getSimpleName() : message;
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

	public int exitCode() {
		return this.exitCode;
	}

}
