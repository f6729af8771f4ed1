/**
 * The storage key space: key layout, key constructors and shard placement, shared by the
 * planner, the layer format and tests.
 */
package dev.pgext.importer.keyspace;
