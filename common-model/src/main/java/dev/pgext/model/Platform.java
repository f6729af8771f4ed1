package dev.pgext.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The machine a binary runs on: operating system, architecture and C library, written
 * {@code <os>-<arch>-<libc>} such as {@code linux-amd64-gnu}. A library built for one
 * platform cannot be loaded on another, so every binary part of a release names its
 * platform and every compute asks for its own.
 *
 * @param os the operating system ({@code linux})
 * @param arch the architecture ({@code amd64} or {@code arm64})
 * @param libc the C library ({@code gnu} for glibc, {@code musl})
 */
public record Platform(String os, String arch, String libc) {

	/**
	 * x86-64 Linux with glibc: what a part without a platform means, and the store's
	 * unprefixed keys.
	 */
	public static final Platform LINUX_AMD64_GNU = new Platform("linux", "amd64", "gnu");

	/** AArch64 Linux with glibc. */
	public static final Platform LINUX_ARM64_GNU = new Platform("linux", "arm64", "gnu");

	/** x86-64 Linux with musl (Alpine). */
	public static final Platform LINUX_AMD64_MUSL = new Platform("linux", "amd64", "musl");

	/** AArch64 Linux with musl. */
	public static final Platform LINUX_ARM64_MUSL = new Platform("linux", "arm64", "musl");

	/** The default platform. */
	public static final Platform DEFAULT = LINUX_AMD64_GNU;

	/** Longest platform name, in characters. */
	public static final int MAX_LENGTH = 24;

	private static final List<Platform> SUPPORTED = List.of(LINUX_AMD64_GNU, LINUX_ARM64_GNU, LINUX_AMD64_MUSL,
			LINUX_ARM64_MUSL);

	public Platform {
		Platform candidate = null;
		for (Platform known : (SUPPORTED != null) ? SUPPORTED : List.<Platform>of()) {
			if (known.os.equals(os) && known.arch.equals(arch) && known.libc.equals(libc)) {
				candidate = known;
			}
		}
		if (SUPPORTED != null && candidate == null) {
			throw new InvalidValueException("platform " + os + "-" + arch + "-" + libc + " is not supported "
					+ "(supported: " + String.join(", ", SUPPORTED.stream().map(Platform::toString).toList()) + ")");
		}
	}

	/** Parses {@code linux-arm64-gnu}; the name is case-insensitive. */
	@JsonCreator
	public static Platform parse(String text) {
		if (text == null || text.isBlank()) {
			throw new InvalidValueException("platform is empty");
		}
		String[] parts = text.strip().toLowerCase(Locale.ROOT).split("-", -1);
		if (parts.length != 3 || text.length() > MAX_LENGTH) {
			throw new InvalidValueException(
					"'" + printable(text) + "' is not a platform <os>-<arch>-<libc> " + "(such as linux-arm64-gnu)");
		}
		return new Platform(parts[0], parts[1], parts[2]);
	}

	/** Every supported platform, the default first. */
	public static List<Platform> supported() {
		return SUPPORTED;
	}

	/** Whether this is {@link #DEFAULT}. */
	public boolean isDefault() {
		return equals(DEFAULT);
	}

	/**
	 * The architecture name of an ELF {@code e_machine}: {@code amd64} for EM_X86_64
	 * (62), {@code arm64} for EM_AARCH64 (183), or {@code machine-<n>} for any other.
	 */
	public static String archOfElfMachine(int machine) {
		return switch (machine) {
			case 62 -> "amd64";
			case 183 -> "arm64";
			case 3 -> "i386";
			case 40 -> "arm";
			case 243 -> "riscv";
			case 21 -> "ppc64";
			case 22 -> "s390";
			default -> "machine-" + machine;
		};
	}

	/**
	 * The platform of the running JVM: {@code os.name} and {@code os.arch}, and the C
	 * library mapped into this process ({@code /proc/self/maps}: musl's {@code ld-musl-*}
	 * or {@code libc.musl-*}, otherwise glibc).
	 * @throws InvalidValueException when the machine is not a supported platform
	 */
	public static Platform host() {
		String maps;
		try {
			maps = Files.readString(Path.of("/proc/self/maps"));
		}
		catch (IOException | RuntimeException ex) {
			maps = "";
		}
		return host(System.getProperty("os.name", ""), System.getProperty("os.arch", ""), maps);
	}

	/**
	 * The platform named by Java's {@code os.name}, {@code os.arch} and the process's
	 * memory map.
	 */
	static Platform host(String osName, String osArch, String processMaps) {
		String os = osName.toLowerCase(Locale.ROOT).startsWith("linux") ? "linux" : osName.toLowerCase(Locale.ROOT);
		String arch = switch (osArch.toLowerCase(Locale.ROOT)) {
			case "amd64", "x86_64" -> "amd64";
			case "aarch64", "arm64" -> "arm64";
			default -> osArch.toLowerCase(Locale.ROOT);
		};
		String libc = (processMaps.contains("ld-musl-") || processMaps.contains("libc.musl-")) ? "musl" : "gnu";
		return new Platform(os, arch, libc);
	}

	private static String printable(String text) {
		String shown = text.replaceAll("\\p{Cntrl}", "?");
		return (shown.length() > 40) ? shown.substring(0, 40) + "..." : shown;
	}

	@JsonValue
	@Override
	public String toString() {
		return this.os + "-" + this.arch + "-" + this.libc;
	}

}
