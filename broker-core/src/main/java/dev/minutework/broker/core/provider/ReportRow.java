package dev.minutework.broker.core.provider;

import java.time.LocalDate;

/** One report row in provider ids and minor units; the broker maps ids back to its own. */
public record ReportRow(LocalDate date, String providerCampaignId, long impressions, long clicks, long spendMinor,
        String currency) {}
