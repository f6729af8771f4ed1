package dev.pgext.model.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.model.PgMajor;
import dev.pgext.model.postgres.PostgresBinaries;
import dev.pgext.model.postgres.PostgresInstall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Tests for {@link ElfFile} on real binaries of this machine and of the Postgres
 * binaries, and on broken input.
 */
class ElfFileTests {

	@TempDir
	Path temp;

	@Test
	void theShellNeedsLibcAndTheLoader() throws IOException {
		ElfFile sh = ElfFile.read(Path.of("/bin/sh"));
		assertThat(sh.machine()).isEqualTo(ElfFile.EM_X86_64);
		assertThat(sh.interpreter()).hasValue("/lib64/ld-linux-x86-64.so.2");
		assertThat(sh.needed()).contains("libc.so.6");
		assertThat(sh.isStaticallyLinked()).isFalse();
	}

	@Test
	void postgresNeedsItsBundledIcuThroughAnOriginRunpath() throws IOException {
		PostgresInstall install = pg15();
		ElfFile postgres = ElfFile.read(install.binary("postgres"));
		assertThat(postgres.interpreter()).hasValue("/lib64/ld-linux-x86-64.so.2");
		assertThat(postgres.needed()).contains("libicuuc.so.60", "libicui18n.so.60", "libxml2.so.2", "libc.so.6");
		assertThat(postgres.runpath()).containsExactly("$ORIGIN/../lib");
		assertThat(postgres.rpath()).isEmpty();
	}

	@Test
	void aLibraryNamesItselfAndHasNoInterpreter() throws IOException {
		ElfFile icu = ElfFile.read(pg15().lib().resolve("libicuuc.so.60"));
		assertThat(icu.soname()).hasValue("libicuuc.so.60");
		assertThat(icu.interpreter()).isEmpty();
		assertThat(icu.needed()).contains("libicudata.so.60", "libstdc++.so.6");
	}

	@Test
	void libxml2ReferencesIconv() throws IOException {
		ElfFile xml = ElfFile.read(pg15().lib().resolve("libxml2.so.2"));
		assertThat(xml.namesDynamicSymbol("iconv_open")).isTrue();
		assertThat(xml.namesDynamicSymbol("no_such_symbol_anywhere")).isFalse();
	}

	@Test
	void aStaticExecutableNeedsNothing() throws IOException {
		Path ldconfig = Path.of("/sbin/ldconfig");
		assumeThat(ElfFile.isElf(ldconfig)).as("a static /sbin/ldconfig (Debian)").isTrue();
		ElfFile file = ElfFile.read(ldconfig);
		assertThat(file.interpreter()).isEmpty();
		assertThat(file.needed()).isEmpty();
		assertThat(file.isStaticallyLinked()).isTrue();
	}

	@Test
	void aTextFileIsNotElf() throws IOException {
		Path text = Files.writeString(this.temp.resolve("script"), "#!/bin/sh\necho hello\n");
		assertThat(ElfFile.isElf(text)).isFalse();
		assertThatExceptionOfType(ElfFormatException.class).isThrownBy(() -> ElfFile.read(text))
			.withMessageContaining("script")
			.withMessageContaining("not an ELF file");
	}

	@Test
	void anEmptyFileFailsClearly() throws IOException {
		Path empty = Files.createFile(this.temp.resolve("empty"));
		assertThatExceptionOfType(ElfFormatException.class).isThrownBy(() -> ElfFile.read(empty))
			.withMessageContaining("not an ELF file");
	}

	@Test
	void aTruncatedBinaryFailsClearly() throws IOException {
		byte[] sh = Files.readAllBytes(Path.of("/bin/sh"));
		Path truncated = Files.write(this.temp.resolve("truncated"), Arrays.copyOf(sh, 200));
		assertThatExceptionOfType(ElfFormatException.class).isThrownBy(() -> ElfFile.read(truncated))
			.withMessageContaining("outside the file");
	}

	@Test
	void a32BitFileIsRejectedByName() throws IOException {
		byte[] header = Files.readAllBytes(Path.of("/bin/sh"));
		header[4] = 1;
		Path elf32 = Files.write(this.temp.resolve("elf32"), header);
		assertThatExceptionOfType(ElfFormatException.class).isThrownBy(() -> ElfFile.read(elf32))
			.withMessageContaining("only 64-bit ELF files are supported");
	}

	@Test
	void programHeadersPointingOutsideTheFileFailClearly() throws IOException {
		byte[] sh = Files.readAllBytes(Path.of("/bin/sh"));
		ByteBuffer.wrap(sh).order(ByteOrder.LITTLE_ENDIAN).putLong(32, Long.MAX_VALUE - 10);
		Path broken = Files.write(this.temp.resolve("broken"), sh);
		assertThatExceptionOfType(ElfFormatException.class).isThrownBy(() -> ElfFile.read(broken))
			.withMessageContaining("program headers");
	}

	@Test
	void randomlyCorruptedBinariesEitherParseOrFailWithAnElfError() throws IOException {
		byte[] original = Files.readAllBytes(Path.of("/bin/sh"));
		Random random = new Random(42);
		Path target = this.temp.resolve("corrupt");
		for (int round = 0; round < 300; round++) {
			byte[] copy = Arrays.copyOf(original, original.length);
			for (int flips = 0; flips < 8; flips++) {
				// the headers and the dynamic section live in the first pages
				copy[random.nextInt(Math.min(copy.length, 16 * 1024))] = (byte) random.nextInt();
			}
			Files.write(target, copy);
			try {
				ElfFile.read(target);
			}
			catch (ElfFormatException ex) {
				assertThat(ex).hasMessageStartingWith(target.toString());
			}
		}
	}

	@Test
	void aDebianArm64ModuleIsAnAarch64LibraryWithAPostgres15MagicBlock() throws IOException, Exception {
		Path library = Path.of(ElfFileTests.class.getResource("/elf/first_last_agg-arm64.so").toURI());
		assertThat(ElfFile.identify(library)).isEqualTo(new ElfFile.Identity(2, 1, ElfFile.EM_AARCH64));
		ElfFile elf = ElfFile.read(library);
		assertThat(elf.machine()).isEqualTo(ElfFile.EM_AARCH64);
		assertThat(elf.exportsPgMagicFunc()).isTrue();
		assertThat(elf.pgMagicProblem()).isEmpty();
		assertThat(elf.pgMagicBlock()).hasValue(new PgMagicBlock(56, 1500, 100, 32, 64, true, "PostgreSQL"));
	}

	@Test
	void everyContribModuleOfEveryMajorCarriesTheMagicBlockOfItsMajor() throws IOException {
		// the installations are extracted (once per build) side by side: this is the
		// first
		// test of the build to need every major
		Map<Integer, PostgresInstall> installs = IntStream.rangeClosed(PgMajor.MIN_SUPPORTED, PgMajor.MAX_SUPPORTED)
			.boxed()
			.parallel()
			.collect(Collectors.toMap(Function.identity(), ElfFileTests::install));
		for (int major = PgMajor.MIN_SUPPORTED; major <= PgMajor.MAX_SUPPORTED; major++) {
			ElfFile hstore = ElfFile.read(installs.get(major).lib().resolve("postgresql/hstore.so"));
			assertThat(hstore.cLibrary()).hasValue("gnu");
			assertThat(hstore.pgMagicProblem()).as("PG %d", major).isEmpty();
			PgMagicBlock block = hstore.pgMagicBlock().orElseThrow();
			assertThat(block.major()).isEqualTo(major);
			assertThat(block.problemFor(major)).as("PG %d", major).isNull();
			assertThat(block.problemFor((major == 15) ? 17 : 15)).contains("built for PostgreSQL " + major);
		}
	}

	@Test
	void aLibraryThatIsNoPostgresModuleHasNoMagicBlock() throws IOException {
		ElfFile icu = ElfFile.read(pg15().lib().resolve("libicuuc.so.60"));
		assertThat(icu.exportsPgMagicFunc()).isFalse();
		assertThat(icu.pgMagicBlock()).isEmpty();
		assertThat(icu.pgMagicProblem()).isEmpty();
	}

	@Test
	void theIdentityOfA32BitBigEndianFileIsReadWithoutFailing() throws IOException {
		byte[] header = new byte[52];
		header[0] = 0x7f;
		header[1] = 'E';
		header[2] = 'L';
		header[3] = 'F';
		header[4] = 1;
		header[5] = 2;
		header[19] = 20; // e_machine 20 (PowerPC), big-endian
		Path file = Files.write(this.temp.resolve("ppc.so"), header);
		ElfFile.Identity identity = ElfFile.identify(file);
		assertThat(identity.machine()).isEqualTo(20);
		assertThat(identity.describe()).isEqualTo("32-bit big-endian machine 20");
	}

	/**
	 * The PG 15 installation the build extracts next to the binaries it copies (as
	 * test-support does).
	 */
	private static PostgresInstall pg15() {
		return install(15);
	}

	private static PostgresInstall install(int major) {
		return PostgresBinaries.installShared(new PgMajor(major));
	}

}
