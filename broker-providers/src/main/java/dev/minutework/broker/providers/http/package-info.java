/**
 * What every real adapter needs on the wire: one JDK HTTP client with timeouts, a call result that
 * tells "never sent" from "sent, answer lost", safe retries with backoff, and redaction of
 * credential values from anything a provider says back.
 */
package dev.minutework.broker.providers.http;
