/**
 * {@code bundle-builder verify}: proves a bundle complete by checking every file against
 * its manifest and running {@code initdb} and {@code postgres --version} of every major
 * in a chroot of the bundle as an unprivileged user.
 */
package dev.pgext.bundle.verify;
