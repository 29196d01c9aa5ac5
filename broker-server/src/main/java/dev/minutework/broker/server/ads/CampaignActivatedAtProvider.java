package dev.minutework.broker.server.ads;

/**
 * Published once a provider event (a webhook or a poll) that says a campaign became active has
 * been applied and committed: the campaign may now be spending money the broker does not hold for
 * it, which the authorization-endings job checks at once.
 */
public record CampaignActivatedAtProvider(String tenantId, String campaignId) {}
