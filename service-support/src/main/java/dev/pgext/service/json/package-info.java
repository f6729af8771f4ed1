/**
 * The services speak JSON only: what their documents promise, whatever else a classpath
 * brings.
 */
package dev.pgext.service.json;
