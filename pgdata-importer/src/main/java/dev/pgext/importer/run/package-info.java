/**
 * Running imports: the durable import record in S3, leases and fencing, job execution,
 * status objects and the upcall.
 */
package dev.pgext.importer.run;
