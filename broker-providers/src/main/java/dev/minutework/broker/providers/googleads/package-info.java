/**
 * Adapter for the Google Ads API (REST): OAuth refresh-token flow with a per-account access token
 * cache, {@code developer-token} and {@code login-customer-id} headers, budgets and bids in micros
 * as int64 strings, campaigns as a budget mutate plus a campaign mutate, image assets from a
 * downloaded image, responsive search ads, GAQL reports with page tokens. Unknown creates are
 * reconciled by the broker reference embedded in names (ads: in the final URL suffix).
 */
package dev.minutework.broker.providers.googleads;
