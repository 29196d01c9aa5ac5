/**
 * Simulator of the Google Ads API (REST), as docs/providers.md describes it: OAuth refresh-token
 * flow on the same origin, {@code developer-token} and {@code login-customer-id} headers,
 * {@code :mutate} endpoints with operations, int64 values as JSON strings, campaigns that need a
 * budget and the EU political advertising declaration, GAQL {@code googleAds:search} with page
 * tokens, and {@code GoogleAdsFailure} error envelopes.
 */
package dev.minutework.broker.sim.googleads;
