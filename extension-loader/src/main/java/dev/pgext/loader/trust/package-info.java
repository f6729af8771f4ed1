/**
 * Which keys the loader trusts and whether each index or manifest it read verified: the
 * verification the fetch sources call before reading any digest, its rejection metric and
 * the {@code metadataTrust} health indicator.
 */
package dev.pgext.loader.trust;
