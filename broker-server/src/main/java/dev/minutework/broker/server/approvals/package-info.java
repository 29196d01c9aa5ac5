/** BrokerApprovalGrant: one-shot approvals of one exact payload, and standing grants with explicit limits. */
package dev.minutework.broker.server.approvals;
