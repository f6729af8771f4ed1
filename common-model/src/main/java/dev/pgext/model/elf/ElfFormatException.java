package dev.pgext.model.elf;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file is not an ELF file this reader understands, or its headers point outside the
 * file.
 */
public class ElfFormatException extends IOException {

	public ElfFormatException(Path file, String reason) {
		super(file + ": " + reason);
	}

}
