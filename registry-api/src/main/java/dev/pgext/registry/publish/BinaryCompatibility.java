package dev.pgext.registry.publish;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.elf.ElfFile;
import dev.pgext.model.elf.PgMagicBlock;
import dev.pgext.registry.problem.RegistryException;

/**
 * Checks that every library of an artifact can be loaded where the part says it belongs:
 * its ELF identification (64-bit, little-endian, the part's architecture), the C library
 * it links against when it names one, and, for a Postgres module, the magic block
 * Postgres compares before loading it (the part's major and a standard build). A library
 * that names no C library is accepted on its architecture alone; a library without
 * {@code Pg_magic_func} is not a module Postgres loads by itself (a helper a module links
 * against) and has no magic block to check; a module whose magic block cannot be located
 * by {@link ElfFile} is accepted and the reason returned as a note, since refusing it
 * would refuse a working build over a compiler's code shape, and Postgres still checks
 * the block when it loads the module.
 */
final class BinaryCompatibility {

	private static final Logger log = LoggerFactory.getLogger(BinaryCompatibility.class);

	private BinaryCompatibility() {
	}

	/**
	 * Checks the {@code lib/*.so} files of one artifact.
	 * @param label the part name, for messages
	 * @return notes on modules whose magic block could not be read (empty when every
	 * check was made)
	 * @throws RegistryException 422 {@code platform-mismatch} or
	 * {@code incompatible-postgres-build}
	 */
	static List<String> check(String label, PgMajor major, Platform platform, Collection<ArtifactFile> files) {
		List<String> notes = new ArrayList<>();
		for (ArtifactFile file : files) {
			if (!file.path().startsWith("lib/") || !file.path().endsWith(".so")) {
				continue;
			}
			try {
				checkPlatform(label, file, platform, ElfFile.identify(file.content()));
				ElfFile elf = ElfFile.read(file.content());
				elf.cLibrary().filter((libc) -> !libc.equals(platform.libc())).ifPresent((libc) -> {
					throw mismatch(label, file, platform, platform.os() + "-" + platform.arch() + "-" + libc,
							"it links against the " + libc + " C library");
				});
				String note = checkMagic(label, major, file, elf);
				if (note != null) {
					notes.add(note);
				}
			}
			catch (IOException ex) {
				// ArtifactReader has already refused every lib/*.so that is not an ELF
				// shared object
				throw RegistryException.unprocessable("not-a-shared-library",
						label + ": '" + file.path() + "' cannot be read as ELF: "
								+ String.valueOf(ex.getMessage()).replace(file.content().toString() + ": ", ""));
			}
		}
		return notes;
	}

	private static void checkPlatform(String label, ArtifactFile file, Platform platform, ElfFile.Identity identity) {
		boolean wide = identity.elfClass() == 2 && identity.dataEncoding() == 1;
		String arch = Platform.archOfElfMachine(identity.machine());
		if (!wide || !arch.equals(platform.arch())) {
			throw mismatch(label, file, platform, platform.os() + "-" + arch,
					"it is a " + identity.describe() + " ELF file");
		}
	}

	private static String checkMagic(String label, PgMajor major, ArtifactFile file, ElfFile elf) {
		if (!elf.exportsPgMagicFunc()) {
			return null;
		}
		if (elf.pgMagicBlock().isEmpty()) {
			String note = label + ": '" + file.path() + "': the Postgres magic block was not checked ("
					+ elf.pgMagicProblem().orElse("not found") + ")";
			log.warn("Accepted without a magic block check: {}", note);
			return note;
		}
		PgMagicBlock block = elf.pgMagicBlock().get();
		String problem = block.problemFor(major.value());
		if (problem != null) {
			throw RegistryException.unprocessable("incompatible-postgres-build",
					label + ": '" + file.path() + "' cannot be loaded by PostgreSQL " + major + ": " + problem);
		}
		return null;
	}

	private static RegistryException mismatch(String label, ArtifactFile file, Platform declared, String found,
			String evidence) {
		return RegistryException.unprocessable("platform-mismatch", label + ": '" + file.path() + "' is built for "
				+ found + " (" + evidence + "); the part declares platform " + declared);
	}

}
