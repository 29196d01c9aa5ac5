/** Money as integer minor units of an ISO-4217 currency; never floating point. */
package dev.minutework.broker.core.money;
