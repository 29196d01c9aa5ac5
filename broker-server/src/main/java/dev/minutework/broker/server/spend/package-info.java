/**
 * Money: AdsSpendAuthorization caps, the TenantWallet, and the spend ledger whose reserve, release
 * and settle decisions each leave an AdsSpendPolicyReceipt. Reservations are conditional UPDATEs,
 * so no interleaving of broker processes can overspend (invariant 1).
 */
package dev.minutework.broker.server.spend;
