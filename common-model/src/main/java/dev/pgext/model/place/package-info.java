/**
 * Verified, atomic placement of index files into a Postgres installation (temporary file
 * in the target directory, digest and size check, fsync, rename); used by the extension
 * loader and the {@code pgext} command-line client; and walks of directory trees that
 * other processes change meanwhile, deletion of such trees included.
 */
package dev.pgext.model.place;
