/**
 * The structure every module keeps, checked by each module's {@code ModuleBoundaryTests}:
 * packages free of cycles, and no dependency on another module's packages. Used by tests
 * only.
 */
package dev.pgext.testsupport.structure;
