/**
 * The HTTP API: create a timeline by import, read its status, cancel it; errors as RFC
 * 9457 problems.
 */
package dev.pgext.importer.api;
