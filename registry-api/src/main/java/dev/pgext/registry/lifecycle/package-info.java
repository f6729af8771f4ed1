/**
 * The life of a published distribution: yanking and un-yanking releases, deprecation with
 * a successor, and ownership transfer offered by an owner and accepted by the new one.
 */
package dev.pgext.registry.lifecycle;
