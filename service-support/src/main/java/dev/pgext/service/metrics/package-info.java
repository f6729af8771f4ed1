/**
 * Descriptions and base units for the framework's meters, so that a service's whole
 * Prometheus scrape passes {@code promtool check metrics}; applied to every service by
 * auto-configuration.
 */
package dev.pgext.service.metrics;
