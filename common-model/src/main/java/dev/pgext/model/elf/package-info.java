/**
 * A small reader of ELF64 little-endian files: interpreter, needed libraries and search paths, which
 * the bundle build uses to compute the shared-library closure without running the dynamic loader,
 * and the registry uses to check that a published library is a shared object.
 */
package dev.pgext.model.elf;
