/**
 * Extension control files: a parser that follows the server's own grammar, and the parsed record.
 */
package dev.pgext.model.control;
