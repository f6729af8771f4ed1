/**
 * The JSON settings of documents whose bytes are a contract, shared by every module.
 */
package dev.pgext.model.json;
