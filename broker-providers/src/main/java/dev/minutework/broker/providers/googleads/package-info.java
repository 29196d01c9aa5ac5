/**
 * Adapter for the Google Ads API (REST): OAuth refresh-token flow with a per-account access token
 * cache, {@code developer-token} and {@code login-customer-id} headers, budgets and bids in micros
 * as int64 strings, campaigns as one atomic {@code googleAds:mutate} of a budget and its campaign,
 * group countries and languages as location and language criteria of the group's campaign (created
 * atomically with the group), image assets from a downloaded image, responsive search ads from the
 * creative's headlines and descriptions, {@code validateOnly} dry runs, GAQL reports with page
 * tokens. Unknown creates are reconciled by the broker reference embedded in names (ads: in the
 * final URL suffix).
 */
package dev.minutework.broker.providers.googleads;
