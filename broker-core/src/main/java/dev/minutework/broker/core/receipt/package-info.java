/** The per-tenant hash chain that makes receipts tamper-evident (invariant 5). */
package dev.minutework.broker.core.receipt;
