/**
 * Signed metadata: Ed25519 keys as PEM files, the detached signature document written
 * beside each index, snapshot, manifest and pin, its verification against a set of
 * trusted keys, and the highest version seen per document that refuses a rollback. Used
 * by the registry to sign and by every consumer to verify.
 */
package dev.pgext.model.signing;
