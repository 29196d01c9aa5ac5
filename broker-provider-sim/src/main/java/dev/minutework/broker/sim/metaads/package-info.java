/**
 * Simulator of the Meta Marketing API (Graph API), as Meta's reference documents it: parameters
 * form-encoded, multipart or JSON with {@code access_token} and a verified {@code appsecret_proof},
 * nested objects as JSON, every live version, with or without a trailing slash, the documented field
 * and parameter sets ({@code graph-reference.properties}), budgets in the currency's minor unit, ISO-8601 times, {@code {"id":…}} creates,
 * the Graph error envelope with Meta's own codes (190, 100, 17, …), cursor paging, insights
 * whose numbers are strings, {@code validate_only} dry runs, and objects kept across restarts in the
 * simulator's journal.
 */
package dev.minutework.broker.sim.metaads;
