/**
 * Distributions and who may change them: owners, maintainers and the ownership rules that
 * publishing, lifecycle changes and maintainer management all apply.
 */
package dev.pgext.registry.distribution;
