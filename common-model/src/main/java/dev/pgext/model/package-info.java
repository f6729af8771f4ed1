/**
 * The shared vocabulary of pgext: Postgres majors, tenants, extension names and versions,
 * digests and the extension-store layout. Plain Java; every module may use it, it uses none.
 */
package dev.pgext.model;
