/**
 * RFC 9457 problem responses: the one place that turns every error of the registry into a
 * problem with a stable type.
 */
package dev.pgext.registry.problem;
