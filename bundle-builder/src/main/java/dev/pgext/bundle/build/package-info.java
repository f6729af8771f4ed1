/**
 * {@code bundle-builder build}: stages Postgres installations, their shared-library
 * closure, the dynamic loader, a shell and the chroot essentials into one tree, and
 * writes it as a reproducible bundle.
 */
package dev.pgext.bundle.build;
