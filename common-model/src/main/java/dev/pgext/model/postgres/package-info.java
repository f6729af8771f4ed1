/**
 * Real Postgres installations: the relocatable binaries from Maven Central, their layout,
 * and running their programs safely when the JVM is root.
 */
package dev.pgext.model.postgres;
