/**
 * The registry's web pages: server-rendered HTML (Thymeleaf) over the same catalog,
 * search, token and audit services as the JSON API, with a cookie session signed in by an
 * API token and a synchronizer token on every form. Nothing outside this package uses it.
 */
package dev.pgext.registry.web;
