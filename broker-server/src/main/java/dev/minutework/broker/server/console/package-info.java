/**
 * The console at {@code /console}: server-rendered pages (Thymeleaf, htmx) for approvers, viewers
 * and the operator. A user signs in with an API key, which is resolved as the API resolves it and
 * then forgotten: the console keeps a server-side session (table {@code console_sessions}, only the
 * token's hash) naming the key, re-checked on every request. Pages call the services the REST
 * controllers call, with the same {@code Caller}, so roles are enforced exactly as in the API.
 */
package dev.minutework.broker.server.console;
