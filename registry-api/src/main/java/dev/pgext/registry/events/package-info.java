/**
 * The outbox of registry changes and what reads it: webhook subscriptions and their
 * signed, ordered deliveries, and the Atom feed of releases.
 */
package dev.pgext.registry.events;
