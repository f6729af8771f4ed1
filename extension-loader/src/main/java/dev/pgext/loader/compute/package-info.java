/**
 * One compute's life: its spec, its phase (one state machine), the start-up phases, the
 * catalog of extensions it may use and its refresh, the prioritized single-flight
 * downloads, JIT placement, and the {@code /compute} and {@code /status} API.
 */
package dev.pgext.loader.compute;
