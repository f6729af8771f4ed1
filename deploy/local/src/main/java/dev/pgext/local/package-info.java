/**
 * The local stack: every pgext service in one JVM on embedded infrastructure, for trying
 * the suite by hand. Not a production entry point.
 */
package dev.pgext.local;
