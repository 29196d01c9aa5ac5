/**
 * Simulator of TikTok API for Business (Marketing API v1.3), as docs/providers.md describes it:
 * {@code Access-Token} header, {@code advertiser_id} in body or query, the
 * {@code {code, message, request_id, data}} envelope answered with HTTP 200 for most errors,
 * decimal major-unit budgets, {@code "YYYY-MM-DD HH:MM:SS"} UTC schedules, GET list parameters as
 * JSON strings, page/page_size paging, ad group {@code request_id} idempotency and integrated
 * reports with spend as decimal strings. Advertisers' objects and ad group {@code request_id}s can be
 * kept in a journal across restarts (tokens are not).
 */
package dev.minutework.broker.sim.tiktokads;
