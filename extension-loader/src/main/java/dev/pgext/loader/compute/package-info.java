/**
 * One compute's life: its spec, the catalog of extensions it may use, the prioritized
 * single-flight downloads, the start phases, and the {@code /compute} and {@code /status} API.
 */
package dev.pgext.loader.compute;
