/**
 * Durable background work in PostgreSQL: jobs claimed with {@code SKIP LOCKED} under a
 * lease, retried with backoff, and shown to clients as operation resources.
 */
package dev.pgext.registry.jobs;
