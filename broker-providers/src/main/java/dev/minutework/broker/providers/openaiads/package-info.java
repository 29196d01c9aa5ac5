/**
 * Adapter for the OpenAI Advertiser API (ChatGPT ads): bearer key per ad account, micros budgets
 * (lifetime only), Unix-second times, image upload plus a {@code chat_card} creative inside the ad,
 * insights with decimal spend. Reconciles unknown creates by the broker reference embedded in the
 * object's name.
 */
package dev.minutework.broker.providers.openaiads;
