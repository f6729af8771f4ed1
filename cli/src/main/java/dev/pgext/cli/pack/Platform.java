package dev.pgext.cli.pack;

import java.util.Locale;

import dev.pgext.cli.exit.CliException;
import dev.pgext.model.elf.ElfFile;

/**
 * The platform a release's libraries are built for, named as the registry's documentation
 * does ({@code linux-x86_64}, {@code linux-aarch64}), with its ELF machine number.
 *
 * @param name the platform name
 * @param elfMachine the {@code e_machine} its shared objects have
 */
public record Platform(String name, int elfMachine) {

	public static final Platform LINUX_X86_64 = new Platform("linux-x86_64", ElfFile.EM_X86_64);

	public static final Platform LINUX_AARCH64 = new Platform("linux-aarch64", ElfFile.EM_AARCH64);

	/** The platform this JVM runs on. */
	public static Platform host() {
		String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
		return parse(arch.equals("amd64") || arch.equals("x86_64") ? "linux-x86_64"
				: arch.equals("aarch64") || arch.equals("arm64") ? "linux-aarch64" : "linux-" + arch);
	}

	/**
	 * {@code linux-x86_64} ({@code linux-amd64}) or {@code linux-aarch64}
	 * ({@code linux-arm64}).
	 */
	public static Platform parse(String name) {
		return switch (name.toLowerCase(Locale.ROOT)) {
			case "linux-x86_64", "linux-amd64" -> LINUX_X86_64;
			case "linux-aarch64", "linux-arm64" -> LINUX_AARCH64;
			default -> throw CliException.local("unknown platform '" + name + "'; known: linux-x86_64, linux-aarch64");
		};
	}

}
