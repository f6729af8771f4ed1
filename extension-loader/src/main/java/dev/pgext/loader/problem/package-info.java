/**
 * The loader's one {@code @RestControllerAdvice}: every error of its API as an RFC 9457
 * problem. Depends on the exceptions of the feature packages; nothing depends on it.
 */
package dev.pgext.loader.problem;
