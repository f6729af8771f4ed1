/**
 * What every pgext HTTP service presents the same way; the services use it, it uses none
 * of them.
 */
package dev.pgext.service;
