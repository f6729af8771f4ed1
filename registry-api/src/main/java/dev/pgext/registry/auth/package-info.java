/**
 * Users, API tokens and who may do what: bearer tokens are resolved to a
 * {@link dev.pgext.registry.caller.Caller} before any controller runs.
 */
package dev.pgext.registry.auth;
