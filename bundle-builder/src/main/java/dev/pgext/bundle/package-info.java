/**
 * The bundle builder: builds, verifies, publishes and fetches pinned self-contained
 * Postgres bundles.
 */
package dev.pgext.bundle;
