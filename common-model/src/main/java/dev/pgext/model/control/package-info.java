/**
 * Extension control files: a parser that follows the server's own grammar, the parsed
 * record, and the rules for the scripts and libraries an extension ships.
 */
package dev.pgext.model.control;
