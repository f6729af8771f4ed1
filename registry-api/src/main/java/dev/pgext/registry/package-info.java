/**
 * The extension registry service: catalog, publishing, search, tokens and compute
 * manifests. Each capability lives in its own sub-package.
 */
package dev.pgext.registry;
