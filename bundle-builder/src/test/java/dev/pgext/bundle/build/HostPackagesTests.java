package dev.pgext.bundle.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link HostPackages}: which package installed a host file, from a dpkg
 * database laid out as Debian lays it out.
 */
class HostPackagesTests {

	@TempDir
	Path dpkg;

	private HostPackages packages() throws IOException {
		Files.createDirectories(this.dpkg.resolve("info"));
		Files.writeString(this.dpkg.resolve("info/libc6:amd64.list"),
				"/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libc.so.6\n");
		Files.writeString(this.dpkg.resolve("info/coreutils.list"), "/usr/bin/env\n");
		Files.writeString(this.dpkg.resolve("info/old-libc.list"), "/usr/lib/libold.so.1\n");
		Files.writeString(this.dpkg.resolve("status"), """
				Package: libc6
				Status: install ok installed
				Architecture: amd64
				Multi-Arch: same
				Version: 2.36-9+deb12u14

				Package: coreutils
				Status: install ok installed
				Architecture: amd64
				Version: 9.1-1

				Package: old-libc
				Status: deinstall ok config-files
				Architecture: amd64
				Version: 1.0
				""");
		return HostPackages.read(this.dpkg);
	}

	@Test
	void aFileIsOwnedByThePackageWhoseListNamesItWithThatPackagesVersion() throws IOException {
		assertThat(packages().owner(Path.of("/usr/bin/env"))).contains(new HostPackages.Package("coreutils", "9.1-1"));
	}

	@Test
	void aFileIsFoundUnderEitherNameOfAUsrMergedDirectory() throws IOException {
		HostPackages packages = packages();
		assertThat(packages.owner(Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6")))
			.contains(new HostPackages.Package("libc6:amd64", "2.36-9+deb12u14"));
		assertThat(packages.owner(Path.of("/bin/env"))).contains(new HostPackages.Package("coreutils", "9.1-1"));
	}

	@Test
	void aFileNoPackageNamesHasNoOwner() throws IOException {
		assertThat(packages().owner(Path.of("/usr/local/lib/libcustom.so.1"))).isEmpty();
	}

	@Test
	void aPackageThatIsNoLongerInstalledHasAnUnknownVersion() throws IOException {
		assertThat(packages().owner(Path.of("/usr/lib/libold.so.1")))
			.contains(new HostPackages.Package("old-libc", "unknown"));
	}

	@Test
	void withoutADpkgDatabaseNothingHasAnOwner() throws IOException {
		assertThat(HostPackages.read(this.dpkg.resolve("absent")).owner(Path.of("/usr/bin/env"))).isEmpty();
	}

	@Test
	void licencesComeFromTheLicenseFieldsOfAMachineReadableCopyrightFileOnly() throws IOException {
		Path doc = this.dpkg.resolve("doc");
		Files.createDirectories(doc.resolve("libzstd1"));
		Files.writeString(doc.resolve("libzstd1/copyright"), """
				Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
				Upstream-Name: Zstd

				Files: *
				Copyright: Meta Platforms, Inc. and affiliates
				License: BSD-3-clause or GPL-2

				Files: debian/*
				License: GPL-2+

				License: BSD-3-clause
				 Redistribution and use in source and binary forms ...
				""");
		Files.createDirectories(doc.resolve("libc6"));
		Files.writeString(doc.resolve("libc6/copyright"), """
				This is the Debian prepackaged version of the GNU C Library.
				License: whatever a free-form text happens to say
				""");
		HostPackages packages = HostPackages.read(this.dpkg, doc);
		assertThat(packages.licenses("libzstd1:amd64")).containsExactly("BSD-3-clause or GPL-2", "GPL-2+",
				"BSD-3-clause");
		assertThat(packages.licenses("libc6:amd64")).isEmpty();
		assertThat(packages.licenses("coreutils")).isEmpty();
		assertThat(packages.licenses("../etc")).isEmpty();
	}

}
