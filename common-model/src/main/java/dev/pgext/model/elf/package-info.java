/**
 * A small reader of ELF64 little-endian files: identification (class, byte order,
 * machine), interpreter, needed libraries and search paths, and a Postgres module's magic
 * block. The bundle build uses it to compute the shared-library closure without running
 * the dynamic loader; the registry uses it to check that a published library is a shared
 * object built for the platform and Postgres major its part declares.
 */
package dev.pgext.model.elf;
