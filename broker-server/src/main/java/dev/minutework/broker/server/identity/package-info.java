/** Who is calling: the operator, or a tenant API key with a role. Keys are stored only as hashes. */
package dev.minutework.broker.server.identity;
