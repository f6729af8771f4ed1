/**
 * Full-text search over the catalog with PostgreSQL text search, extension names ranked
 * first.
 */
package dev.pgext.registry.search;
