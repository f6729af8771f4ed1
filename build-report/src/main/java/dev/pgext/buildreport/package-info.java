/**
 * The build's closing report: the slowest test classes and each module's test time, read
 * from the Surefire reports of every module. Its tests also check what spans the services
 * (the configuration reference in docs/operations.md). Build tooling only; no service
 * uses it.
 */
package dev.pgext.buildreport;
