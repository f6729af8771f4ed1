/**
 * Publishing releases: reading and checking uploaded artifacts, deriving what the loader
 * needs, writing the content-addressed blobs and then the release aggregate in one
 * transaction that also asks for the affected projections. Also the maintainer endpoints.
 */
package dev.pgext.registry.publish;
