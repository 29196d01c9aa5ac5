/** The HTTP contract's shared pieces: the error-code registry, error envelope and request parsing. */
package dev.minutework.broker.server.api;
