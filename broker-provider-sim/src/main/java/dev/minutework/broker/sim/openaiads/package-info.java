/**
 * Simulator of the OpenAI Advertiser API (ChatGPT ads), as docs/providers.md describes it: bearer
 * key per ad account, micros budgets, Unix-second times, list envelopes, insights with decimal
 * spend, 429 above the documented rate limits. Ad accounts' objects can be kept in a journal across
 * restarts (keys are not).
 */
package dev.minutework.broker.sim.openaiads;
