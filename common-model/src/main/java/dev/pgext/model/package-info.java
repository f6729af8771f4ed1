/**
 * The shared vocabulary of pgext: Postgres majors, tenants, extension names and versions,
 * digests, the extension-store layout and the error kinds the services share. Plain Java;
 * every module may use it, it uses none.
 */
package dev.pgext.model;
