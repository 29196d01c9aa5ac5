/**
 * Simulator of the Google Ads API (REST), as docs/providers.md describes it: OAuth refresh-token
 * flow on the same origin, {@code developer-token} and {@code login-customer-id} headers,
 * {@code :mutate} endpoints with operations and {@code validateOnly}, the atomic
 * {@code googleAds:mutate} with temporary resource names, int64 values as JSON strings or numbers,
 * every documented campaign, budget and ad group field, the v24–v26 paths, campaigns
 * that need a budget and the EU political advertising declaration, campaign location and language
 * criteria, GAQL {@code googleAds:search} with page tokens and {@code googleAds:searchStream} (with
 * {@code DURING}, {@code BETWEEN} and comparisons on dates), {@code GoogleAdsFailure} error envelopes,
 * and customers' objects kept across restarts in the simulator's journal.
 */
package dev.minutework.broker.sim.googleads;
