/**
 * What every real adapter needs on the wire: one JDK HTTP client with timeouts, a call result that
 * tells "never sent" from "sent, answer lost", the one create and retry protocol all adapters
 * follow ({@link dev.minutework.broker.providers.http.Calls}), and redaction of credential values
 * from anything a provider says back.
 */
package dev.minutework.broker.providers.http;
