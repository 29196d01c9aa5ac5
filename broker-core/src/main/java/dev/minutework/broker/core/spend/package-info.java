/** How much money an ads action can put at risk, and the provider delivery rules behind it. */
package dev.minutework.broker.core.spend;
