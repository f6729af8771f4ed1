/**
 * Who is calling and what their token allows: the
 * {@link dev.pgext.registry.caller.Caller} that {@code auth} resolves from the bearer
 * token before any controller runs, and that every feature's controllers check. Depends
 * on nothing but the problem types.
 */
package dev.pgext.registry.caller;
