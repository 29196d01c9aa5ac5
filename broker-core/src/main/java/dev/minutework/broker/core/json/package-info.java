/**
 * JSON values as plain Java ({@code Map}, {@code List}, {@code String}, {@code Number},
 * {@code Boolean}, {@code null}) and their RFC 8785 canonical form, used for payload digests.
 */
package dev.minutework.broker.core.json;
