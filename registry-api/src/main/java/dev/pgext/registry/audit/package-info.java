/**
 * The audit trail: every mutation of the registry, who made it and when, written in the
 * mutation's transaction.
 */
package dev.pgext.registry.audit;
