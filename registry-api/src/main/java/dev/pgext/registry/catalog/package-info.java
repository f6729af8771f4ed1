/**
 * Reading the catalog: extensions, their versions and files, and downloads by digest,
 * each limited to the scopes the caller may see.
 */
package dev.pgext.registry.catalog;
