/**
 * Reading the catalog: extensions, their versions and files, and downloads by digest,
 * each limited to the scopes the caller may see; the listing rows and the one rule that
 * decides which release of an extension is current.
 */
package dev.pgext.registry.catalog;
