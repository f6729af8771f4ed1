package dev.pgext.model.elf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the dynamic loader reads from an ELF64 little-endian file: the program interpreter
 * ({@code PT_INTERP}) and the dynamic section's {@code DT_NEEDED}, {@code DT_SONAME},
 * {@code DT_RUNPATH} and {@code DT_RPATH}. Program headers come first, as the loader uses
 * them; section headers are the fallback for files whose program headers say nothing.
 * Every offset is checked against the file size, so a truncated or hostile file fails
 * with an {@link ElfFormatException} instead of a crash or a huge allocation. Besides:
 * the identification of any ELF file ({@link #identify}), the C library a file links
 * against ({@link #cLibrary}) and, read on first use, a Postgres module's magic block
 * ({@link #pgMagicBlock}).
 */
public final class ElfFile {

	/** {@code e_machine} of x86-64. */
	public static final int EM_X86_64 = 62;

	/** {@code e_machine} of AArch64. */
	public static final int EM_AARCH64 = 183;

	/** {@code e_type} of a shared object (or a position-independent executable). */
	public static final int ET_DYN = 3;

	private static final byte[] MAGIC = { 0x7f, 'E', 'L', 'F' };

	private static final int PT_LOAD = 1;

	private static final int PT_DYNAMIC = 2;

	private static final int PT_INTERP = 3;

	private static final int SHT_DYNAMIC = 6;

	private static final int SHT_STRTAB = 3;

	private static final long DT_NULL = 0;

	private static final long DT_NEEDED = 1;

	private static final long DT_STRTAB = 5;

	private static final long DT_STRSZ = 10;

	private static final long DT_SONAME = 14;

	private static final long DT_RPATH = 15;

	private static final long DT_RUNPATH = 29;

	private static final int MAX_STRING = 4096;

	private static final int MAX_STRTAB = 64 * 1024 * 1024;

	private final Path path;

	private final int type;

	private final int machine;

	private final String interpreter;

	private final boolean dynamic;

	private final List<String> needed;

	private final String soname;

	private final List<String> runpath;

	private final List<String> rpath;

	private final byte[] dynamicStrings;

	// read on first use: the bundle build reads many files and never asks
	private volatile MagicLookup magic;

	private ElfFile(Path path, int type, int machine, String interpreter, boolean dynamic, List<String> needed,
			String soname, List<String> runpath, List<String> rpath, byte[] dynamicStrings) {
		this.path = path;
		this.type = type;
		this.machine = machine;
		this.interpreter = interpreter;
		this.dynamic = dynamic;
		this.needed = List.copyOf(needed);
		this.soname = soname;
		this.runpath = List.copyOf(runpath);
		this.rpath = List.copyOf(rpath);
		this.dynamicStrings = dynamicStrings;
	}

	/** Whether {@code file} is a regular file starting with the ELF magic bytes. */
	public static boolean isElf(Path file) throws IOException {
		if (!Files.isRegularFile(file)) {
			return false;
		}
		try (InputStream in = Files.newInputStream(file)) {
			byte[] head = in.readNBytes(MAGIC.length);
			return java.util.Arrays.equals(head, MAGIC);
		}
	}

	/**
	 * The identification of any ELF file, whatever its class and byte order: what tells
	 * which machine it is built for before anything else is read.
	 *
	 * @param elfClass {@code EI_CLASS}: 1 for 32-bit, 2 for 64-bit
	 * @param dataEncoding {@code EI_DATA}: 1 for little-endian, 2 for big-endian
	 * @param machine {@code e_machine}, such as {@link #EM_X86_64}
	 */
	public record Identity(int elfClass, int dataEncoding, int machine) {

		/** {@code 64-bit little-endian x86-64} and the like, for messages. */
		public String describe() {
			return ((this.elfClass == 2) ? "64-bit" : (this.elfClass == 1) ? "32-bit" : "class " + this.elfClass) + " "
					+ ((this.dataEncoding == 1) ? "little-endian"
							: (this.dataEncoding == 2) ? "big-endian" : "encoding " + this.dataEncoding)
					+ " " + machineName(this.machine);
		}

	}

	/**
	 * The name of an {@code e_machine} value, such as {@code x86-64} or {@code AArch64}.
	 */
	public static String machineName(int machine) {
		return switch (machine) {
			case EM_X86_64 -> "x86-64";
			case EM_AARCH64 -> "AArch64";
			case 3 -> "i386";
			case 40 -> "ARM";
			case 243 -> "RISC-V";
			case 21 -> "PowerPC64";
			case 22 -> "S/390";
			default -> "machine " + machine;
		};
	}

	/** Reads the identification of {@code file}: class, byte order and machine. */
	public static Identity identify(Path file) throws IOException {
		byte[] head;
		try (InputStream in = Files.newInputStream(file)) {
			head = in.readNBytes(20);
		}
		if (head.length < 20 || !java.util.Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
			throw new ElfFormatException(file, "not an ELF file (bad magic or shorter than its identification)");
		}
		ByteOrder order = (head[5] == 2) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
		int machine = Short.toUnsignedInt(ByteBuffer.wrap(head).order(order).getShort(18));
		return new Identity(head[4], head[5], machine);
	}

	/** Reads the headers of {@code file}. */
	public static ElfFile read(Path file) throws IOException {
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
			return new Reader(file, channel).read();
		}
	}

	public Path path() {
		return this.path;
	}

	/**
	 * {@code e_type}: 2 for an executable, 3 for a shared object or position-independent
	 * executable.
	 */
	public int type() {
		return this.type;
	}

	/** {@code e_machine}, such as {@link #EM_X86_64}. */
	public int machine() {
		return this.machine;
	}

	/**
	 * The program interpreter (dynamic loader) path, empty for static executables and
	 * most libraries.
	 */
	public Optional<String> interpreter() {
		return Optional.ofNullable(this.interpreter);
	}

	/** The sonames in {@code DT_NEEDED}, in file order. */
	public List<String> needed() {
		return this.needed;
	}

	/** {@code DT_SONAME}, if the file has one. */
	public Optional<String> soname() {
		return Optional.ofNullable(this.soname);
	}

	/** {@code DT_RUNPATH} split at colons, unexpanded ({@code $ORIGIN} kept). */
	public List<String> runpath() {
		return this.runpath;
	}

	/** {@code DT_RPATH} split at colons, unexpanded. */
	public List<String> rpath() {
		return this.rpath;
	}

	/**
	 * The C library the file is linked against, from its interpreter ({@code ld-linux-*}
	 * for glibc, {@code ld-musl-*} for musl) or its {@code DT_NEEDED} ({@code libc.so.6}
	 * for glibc, {@code libc.musl-*.so.1} or a bare {@code libc.so} for musl):
	 * {@code gnu}, {@code musl}, or empty when the file names no C library (a module that
	 * leaves every symbol to the server).
	 */
	public Optional<String> cLibrary() {
		if (this.interpreter != null) {
			String name = this.interpreter.substring(this.interpreter.lastIndexOf('/') + 1);
			if (name.startsWith("ld-musl-")) {
				return Optional.of("musl");
			}
			if (name.startsWith("ld-linux")) {
				return Optional.of("gnu");
			}
		}
		for (String library : this.needed) {
			if (library.startsWith("libc.musl-") || library.equals("libc.so")) {
				return Optional.of("musl");
			}
			if (library.equals("libc.so.6")) {
				return Optional.of("gnu");
			}
		}
		return Optional.empty();
	}

	/**
	 * Whether the file exports {@code Pg_magic_func}, that is, it is a Postgres module.
	 */
	public boolean exportsPgMagicFunc() {
		return magic().exported();
	}

	private MagicLookup magic() {
		MagicLookup lookup = this.magic;
		if (lookup == null) {
			try (FileChannel channel = FileChannel.open(this.path, StandardOpenOption.READ)) {
				Reader reader = new Reader(this.path, channel);
				reader.read();
				lookup = reader.magic(this.machine);
			}
			catch (IOException ex) {
				lookup = new MagicLookup(true, null, "the file could not be read again: " + ex.getMessage());
			}
			this.magic = lookup;
		}
		return lookup;
	}

	/**
	 * The module's magic block, when {@code Pg_magic_func} is exported and the structure
	 * it returns could be located (see {@link #pgMagicProblem()} otherwise).
	 */
	public Optional<PgMagicBlock> pgMagicBlock() {
		return Optional.ofNullable(magic().block());
	}

	/**
	 * Why an exported {@code Pg_magic_func}'s structure could not be read, if it could
	 * not.
	 */
	public Optional<String> pgMagicProblem() {
		return Optional.ofNullable(magic().problem());
	}

	/**
	 * Whether the file has a dynamic section at all (static-pie executables have one,
	 * with no needed libraries).
	 */
	public boolean hasDynamicSection() {
		return this.dynamic;
	}

	/** Whether the file runs without a dynamic loader and needs no shared library. */
	public boolean isStaticallyLinked() {
		return this.interpreter == null && this.needed.isEmpty();
	}

	/**
	 * Whether {@code symbol} is named in the dynamic string table, that is, the file
	 * imports or exports it. Used to find dependencies the loader cannot see, such as
	 * {@code iconv_open} pulling in glibc's gconv modules through {@code dlopen}.
	 */
	public boolean namesDynamicSymbol(String symbol) {
		byte[] name = (symbol + "\0").getBytes(StandardCharsets.US_ASCII);
		outer: for (int i = 0; i + name.length <= this.dynamicStrings.length; i++) {
			if (i > 0 && this.dynamicStrings[i - 1] != 0) {
				continue;
			}
			for (int j = 0; j < name.length; j++) {
				if (this.dynamicStrings[i + j] != name[j]) {
					continue outer;
				}
			}
			return true;
		}
		return false;
	}

	@Override
	public String toString() {
		return "ElfFile[" + this.path + ", interpreter=" + this.interpreter + ", needed=" + this.needed + "]";
	}

	private record Segment(int type, long offset, long vaddr, long filesz) {
	}

	private record MagicLookup(boolean exported, PgMagicBlock block, String problem) {
	}

	private record Section(int nameOffset, int type, long offset, long size, int link) {
	}

	private static final class Reader {

		private final Path file;

		private final FileChannel channel;

		private final long size;

		private List<Segment> segments = List.of();

		private List<Section> sections = List.of();

		Reader(Path file, FileChannel channel) throws IOException {
			this.file = file;
			this.channel = channel;
			this.size = channel.size();
		}

		ElfFile read() throws IOException {
			ByteBuffer magic = bytes(0, Math.min(MAGIC.length, this.size), "ELF magic");
			for (int i = 0; i < MAGIC.length; i++) {
				if (i >= magic.limit() || magic.get(i) != MAGIC[i]) {
					throw fail("not an ELF file (bad magic)");
				}
			}
			ByteBuffer header = bytes(0, 64, "ELF header");
			if (header.get(4) != 2) {
				throw fail("only 64-bit ELF files are supported (EI_CLASS " + header.get(4) + ")");
			}
			if (header.get(5) != 1) {
				throw fail("only little-endian ELF files are supported (EI_DATA " + header.get(5) + ")");
			}
			int type = Short.toUnsignedInt(header.getShort(16));
			int machine = Short.toUnsignedInt(header.getShort(18));
			long phoff = header.getLong(32);
			long shoff = header.getLong(40);
			int phentsize = Short.toUnsignedInt(header.getShort(54));
			int phnum = Short.toUnsignedInt(header.getShort(56));
			int shentsize = Short.toUnsignedInt(header.getShort(58));
			int shnum = Short.toUnsignedInt(header.getShort(60));
			int shstrndx = Short.toUnsignedInt(header.getShort(62));

			List<Segment> segments = segments(phoff, phentsize, phnum);
			List<Section> sections = sections(shoff, shentsize, shnum);
			this.segments = segments;
			this.sections = sections;

			String interpreter = null;
			Segment dynamicSegment = null;
			for (Segment segment : segments) {
				if (segment.type() == PT_INTERP) {
					interpreter = string(bytes(segment.offset(), segment.filesz(), "PT_INTERP"), 0, "PT_INTERP");
				}
				else if (segment.type() == PT_DYNAMIC) {
					dynamicSegment = segment;
				}
			}
			if (interpreter == null && segments.isEmpty()) {
				interpreter = interpFromSections(sections, shstrndx);
			}
			long dynamicOffset;
			long dynamicSize;
			Section dynamicSection = sections.stream().filter((s) -> s.type() == SHT_DYNAMIC).findFirst().orElse(null);
			if (dynamicSegment != null) {
				dynamicOffset = dynamicSegment.offset();
				dynamicSize = dynamicSegment.filesz();
			}
			else if (dynamicSection != null) {
				dynamicOffset = dynamicSection.offset();
				dynamicSize = dynamicSection.size();
			}
			else {
				return new ElfFile(this.file, type, machine, interpreter, false, List.of(), null, List.of(), List.of(),
						new byte[0]);
			}
			return readDynamic(type, machine, interpreter, dynamicOffset, dynamicSize, segments, sections,
					dynamicSection);
		}

		private ElfFile readDynamic(int type, int machine, String interpreter, long offset, long size,
				List<Segment> segments, List<Section> sections, Section dynamicSection) throws IOException {
			ByteBuffer dyn = bytes(offset, size, "dynamic section");
			List<Long> neededOffsets = new ArrayList<>();
			Long sonameOffset = null;
			Long runpathOffset = null;
			Long rpathOffset = null;
			Long strtabAddress = null;
			long strtabSize = -1;
			for (int at = 0; at + 16 <= dyn.limit(); at += 16) {
				long tag = dyn.getLong(at);
				long value = dyn.getLong(at + 8);
				if (tag == DT_NULL) {
					break;
				}
				if (tag == DT_NEEDED) {
					neededOffsets.add(value);
				}
				else if (tag == DT_SONAME) {
					sonameOffset = value;
				}
				else if (tag == DT_RUNPATH) {
					runpathOffset = value;
				}
				else if (tag == DT_RPATH) {
					rpathOffset = value;
				}
				else if (tag == DT_STRTAB) {
					strtabAddress = value;
				}
				else if (tag == DT_STRSZ) {
					strtabSize = value;
				}
			}
			ByteBuffer strtab = stringTable(strtabAddress, strtabSize, segments, sections, dynamicSection);
			if (strtab == null) {
				if (neededOffsets.isEmpty() && sonameOffset == null && runpathOffset == null && rpathOffset == null) {
					return new ElfFile(this.file, type, machine, interpreter, true, List.of(), null, List.of(),
							List.of(), new byte[0]);
				}
				throw fail("the dynamic section names strings but its string table cannot be found");
			}
			List<String> needed = new ArrayList<>();
			for (long n : neededOffsets) {
				needed.add(string(strtab, n, "DT_NEEDED"));
			}
			String soname = (sonameOffset != null) ? string(strtab, sonameOffset, "DT_SONAME") : null;
			List<String> runpath = (runpathOffset != null) ? paths(string(strtab, runpathOffset, "DT_RUNPATH"))
					: List.of();
			List<String> rpath = (rpathOffset != null) ? paths(string(strtab, rpathOffset, "DT_RPATH")) : List.of();
			byte[] strings = new byte[strtab.limit()];
			strtab.get(0, strings);
			return new ElfFile(this.file, type, machine, interpreter, true, needed, soname, runpath, rpath, strings);
		}

		private ByteBuffer stringTable(Long address, long size, List<Segment> segments, List<Section> sections,
				Section dynamicSection) throws IOException {
			if (address != null && size >= 0) {
				for (Segment segment : segments) {
					if (segment.type() == PT_LOAD && Long.compareUnsigned(address, segment.vaddr()) >= 0
							&& Long.compareUnsigned(address - segment.vaddr(), segment.filesz()) < 0) {
						return bytes(segment.offset() + (address - segment.vaddr()), size, "DT_STRTAB");
					}
				}
			}
			if (dynamicSection != null && dynamicSection.link() > 0 && dynamicSection.link() < sections.size()) {
				Section linked = sections.get(dynamicSection.link());
				if (linked.type() == SHT_STRTAB) {
					return bytes(linked.offset(), linked.size(), ".dynstr");
				}
			}
			return null;
		}

		/**
		 * Finds {@code Pg_magic_func} in {@code .dynsym} and the structure it returns.
		 * The function is {@code return &Pg_magic_data;} with the structure a static
		 * constant, so its code computes one PC-relative address: on x86-64 a
		 * {@code lea disp32(%rip), %rax} ({@code 48 8d 05}), on AArch64 an
		 * {@code adrp x0} and an {@code add x0, x0, #lo12}. The first such instruction
		 * (pair) within the function's first 64 bytes is decoded (an {@code endbr64},
		 * {@code bti} or frame set-up before it is skipped over), and the address is read
		 * through the {@code PT_LOAD} segment that maps it. Anything else (another code
		 * shape, a structure outside the file's bytes) is reported, not guessed.
		 */
		MagicLookup magic(int machine) {
			try {
				Symbol symbol = dynamicSymbol("Pg_magic_func");
				if (symbol == null) {
					return new MagicLookup(false, null, null);
				}
				long codeLength = Math.min(64, (symbol.size() > 0) ? symbol.size() : 64);
				ByteBuffer code = mapped(symbol.value(), codeLength, false);
				if (code == null) {
					return new MagicLookup(true, null, "the code of Pg_magic_func lies outside the file");
				}
				Long address = (machine == EM_X86_64) ? x86Target(code, symbol.value())
						: (machine == EM_AARCH64) ? aarch64Target(code, symbol.value()) : null;
				if (address == null) {
					return new MagicLookup(true, null, "the code of Pg_magic_func has a shape this reader "
							+ "does not decode (" + machineName(machine) + ")");
				}
				ByteBuffer head = mapped(address, 4, true);
				if (head == null) {
					return new MagicLookup(true, null, "the magic block lies outside the file's bytes");
				}
				int length = head.getInt(0);
				if (length < 24 || length > 256) {
					return new MagicLookup(true, null, "the magic block's length is " + length);
				}
				ByteBuffer block = mapped(address, length, true);
				if (block == null) {
					return new MagicLookup(true, null, "the magic block lies outside the file's bytes");
				}
				String abiExtra = null;
				if (length >= 56) {
					byte[] extra = new byte[32];
					block.get(24, extra);
					int end = 0;
					while (end < extra.length && extra[end] != 0) {
						end++;
					}
					abiExtra = new String(extra, 0, end, StandardCharsets.US_ASCII);
				}
				return new MagicLookup(true, new PgMagicBlock(length, block.getInt(4), block.getInt(8),
						block.getInt(12), block.getInt(16), block.getInt(20) != 0, abiExtra), null);
			}
			catch (IOException ex) {
				return new MagicLookup(true, null, ex.getMessage());
			}
		}

		private static Long x86Target(ByteBuffer code, long address) {
			for (int at = 0; at + 7 <= code.limit(); at++) {
				if (code.get(at) == 0x48 && code.get(at + 1) == (byte) 0x8d && code.get(at + 2) == 0x05) {
					return address + at + 7 + code.getInt(at + 3);
				}
			}
			return null;
		}

		private static Long aarch64Target(ByteBuffer code, long address) {
			for (int at = 0; at + 8 <= code.limit(); at += 4) {
				int adrp = code.getInt(at);
				int add = code.getInt(at + 4);
				if ((adrp & 0x9f000000) != 0x90000000 || (add & 0xff800000) != 0x91000000) {
					continue;
				}
				int register = adrp & 0x1f;
				if ((add & 0x1f) != register || ((add >>> 5) & 0x1f) != register) {
					continue;
				}
				long immediate = (((long) (adrp >>> 5) & 0x7ffff) << 2) | ((adrp >>> 29) & 0x3);
				long page = (immediate << 43) >> 43 << 12;
				long lo12 = (add >>> 10) & 0xfff;
				if ((add & (1 << 22)) != 0) {
					lo12 <<= 12;
				}
				return ((address + at) & ~0xfffL) + page + lo12;
			}
			return null;
		}

		private record Symbol(long value, long size) {
		}

		private static final int SHT_DYNSYM = 11;

		private Symbol dynamicSymbol(String name) throws IOException {
			byte[] wanted = name.getBytes(StandardCharsets.US_ASCII);
			for (Section section : this.sections) {
				if (section.type() != SHT_DYNSYM || section.link() <= 0 || section.link() >= this.sections.size()) {
					continue;
				}
				Section names = this.sections.get(section.link());
				ByteBuffer strings = bytes(names.offset(), names.size(), ".dynstr");
				ByteBuffer symbols = bytes(section.offset(), section.size(), ".dynsym");
				for (int at = 0; at + 24 <= symbols.limit(); at += 24) {
					long nameOffset = Integer.toUnsignedLong(symbols.getInt(at));
					int sectionIndex = Short.toUnsignedInt(symbols.getShort(at + 6));
					if (sectionIndex == 0 || nameOffset + wanted.length >= strings.limit()) {
						continue;
					}
					boolean same = strings.get((int) nameOffset + wanted.length) == 0;
					for (int i = 0; same && i < wanted.length; i++) {
						same = strings.get((int) nameOffset + i) == wanted[i];
					}
					if (same) {
						return new Symbol(symbols.getLong(at + 8), symbols.getLong(at + 16));
					}
				}
			}
			return null;
		}

		/**
		 * The bytes at virtual address {@code address}, or {@code null} when no segment
		 * maps them from the file.
		 */
		private ByteBuffer mapped(long address, long length, boolean whole) throws IOException {
			for (Segment segment : this.segments) {
				if (segment.type() != PT_LOAD || Long.compareUnsigned(address, segment.vaddr()) < 0) {
					continue;
				}
				long into = address - segment.vaddr();
				if (Long.compareUnsigned(into, segment.filesz()) >= 0) {
					continue;
				}
				long available = segment.filesz() - into;
				if (available < length && whole) {
					return null;
				}
				return bytes(segment.offset() + into, Math.min(length, available), "mapped bytes");
			}
			return null;
		}

		private String interpFromSections(List<Section> sections, int shstrndx) throws IOException {
			if (sections.isEmpty() || shstrndx >= sections.size()) {
				return null;
			}
			Section names = sections.get(shstrndx);
			ByteBuffer nameTable = bytes(names.offset(), names.size(), "section name table");
			for (Section section : sections) {
				if (".interp".equals(string(nameTable, Integer.toUnsignedLong(section.nameOffset()), "section name"))) {
					return string(bytes(section.offset(), section.size(), ".interp"), 0, ".interp");
				}
			}
			return null;
		}

		private List<Segment> segments(long phoff, int phentsize, int phnum) throws IOException {
			if (phnum == 0) {
				return List.of();
			}
			if (phentsize < 56) {
				throw fail("program header entries are " + phentsize + " bytes, expected 56");
			}
			ByteBuffer table = bytes(phoff, (long) phentsize * phnum, "program headers");
			List<Segment> segments = new ArrayList<>(phnum);
			for (int i = 0; i < phnum; i++) {
				int at = i * phentsize;
				segments.add(new Segment(table.getInt(at), table.getLong(at + 8), table.getLong(at + 16),
						table.getLong(at + 32)));
			}
			return segments;
		}

		private List<Section> sections(long shoff, int shentsize, int shnum) throws IOException {
			if (shnum == 0 || shoff == 0) {
				return List.of();
			}
			if (shentsize < 64) {
				throw fail("section header entries are " + shentsize + " bytes, expected 64");
			}
			ByteBuffer table = bytes(shoff, (long) shentsize * shnum, "section headers");
			List<Section> sections = new ArrayList<>(shnum);
			for (int i = 0; i < shnum; i++) {
				int at = i * shentsize;
				sections.add(new Section(table.getInt(at), table.getInt(at + 4), table.getLong(at + 24),
						table.getLong(at + 32), table.getInt(at + 40)));
			}
			return sections;
		}

		private ByteBuffer bytes(long offset, long length, String what) throws IOException {
			if (offset < 0 || length < 0 || length > MAX_STRTAB || offset > this.size || length > this.size - offset) {
				throw fail(what + " (offset " + Long.toUnsignedString(offset) + ", length "
						+ Long.toUnsignedString(length) + ") lies outside the file (" + this.size + " bytes)");
			}
			ByteBuffer buffer = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
			while (buffer.hasRemaining()) {
				if (this.channel.read(buffer, offset + buffer.position()) < 0) {
					throw fail(what + " is truncated");
				}
			}
			return buffer.flip();
		}

		private String string(ByteBuffer table, long offset, String what) throws ElfFormatException {
			if (offset < 0 || offset >= table.limit()) {
				throw fail(what + " string offset " + Long.toUnsignedString(offset) + " lies outside its table");
			}
			int start = (int) offset;
			int end = start;
			while (end < table.limit() && table.get(end) != 0) {
				end++;
				if (end - start > MAX_STRING) {
					throw fail(what + " string is longer than " + MAX_STRING + " bytes");
				}
			}
			if (end == table.limit()) {
				throw fail(what + " string is not terminated");
			}
			byte[] text = new byte[end - start];
			table.get(start, text);
			return new String(text, StandardCharsets.UTF_8);
		}

		private static List<String> paths(String value) {
			List<String> paths = new ArrayList<>();
			for (String part : value.split(":")) {
				if (!part.isEmpty()) {
					paths.add(part);
				}
			}
			return paths;
		}

		private ElfFormatException fail(String reason) {
			return new ElfFormatException(this.file, reason);
		}

	}

}
