package dev.pgext.model.control;

/**
 * A control file that the server would refuse, with the line that is wrong.
 */
public class ControlFileException extends IllegalArgumentException {

	private final String fileName;

	private final int line;

	public ControlFileException(String fileName, int line, String message) {
		super(fileName + (line > 0 ? ", line " + line : "") + ": " + message);
		this.fileName = fileName;
		this.line = line;
	}

	/** The file name given to the parser. */
	public String fileName() {
		return this.fileName;
	}

	/** The 1-based line that is wrong, or 0 when the problem is the whole file. */
	public int line() {
		return this.line;
	}

}
