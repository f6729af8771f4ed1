/**
 * The errors a request meets before any controller of a service runs, as RFC 9457
 * problems like every other error of the service: the container's error page, Tomcat's
 * own refusals, and parameters Tomcat cannot decode; applied to every service by
 * auto-configuration.
 */
package dev.pgext.service.problem;
