/**
 * The rules a release must meet that need nothing but the release itself: its version and
 * the registry's default size limits. The registry enforces them on publish; the CLI
 * checks them before uploading.
 */
package dev.pgext.model.release;
