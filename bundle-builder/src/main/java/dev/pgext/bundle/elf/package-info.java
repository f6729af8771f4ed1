/**
 * A small reader of ELF64 little-endian files: interpreter, needed libraries and search paths, which
 * the bundle build uses to compute the shared-library closure without running the dynamic loader.
 */
package dev.pgext.bundle.elf;
