/**
 * Adapter for TikTok API for Business (Marketing API v1.3): {@code Access-Token} header,
 * {@code advertiser_id} in body or query, the HTTP-200 {@code {code, message, request_id, data}}
 * envelope decoded before anything counts as success, decimal major-unit budgets
 * ({@code BUDGET_MODE_DAY}/{@code BUDGET_MODE_TOTAL}, never {@code BUDGET_MODE_INFINITE}), ad group
 * schedules in {@code "YYYY-MM-DD HH:MM:SS"} UTC, image upload by URL with the creative embedded in
 * the ad, and integrated reports with decimal spend strings. Reconciles unknown creates by the
 * broker reference embedded in object names; ad group creates also carry a {@code request_id}.
 */
package dev.minutework.broker.providers.tiktokads;
