package dev.minutework.broker.core.command;

import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.core.spend.CampaignBudget;
import dev.minutework.broker.core.spend.CampaignChange;
import dev.minutework.broker.core.spend.CampaignState;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One action of {@code mw.connector.ads}, typed: a record per action, parsed once from the
 * schema-validated input by {@link Commands#parse}. Nothing downstream reads the input map again.
 * Broker ids ({@code campaignId}, {@code groupId}, {@code creativeId}) name the tenant's objects;
 * the provider's ids are resolved by the server.
 */
public sealed interface ExecuteCommand {

    /** The connector action's wire name, e.g. {@code ads.create_campaign}. */
    String action();

    /** Whether the action changes anything at the provider (everything but a report). */
    default boolean mutating() {
        return !(this instanceof FetchReport);
    }

    /** Whether the action can put more money at risk: a new campaign or a campaign's change. */
    default boolean raisesSpend() {
        return this instanceof CreateCampaign || this instanceof UpdateCampaign;
    }

    /** Whether the action only lowers spend: it needs no spend authorization (a campaign can always be paused). */
    default boolean lowersSpendOnly() {
        return this instanceof PauseCampaign;
    }

    /** Whether the action changes a campaign the tenant has: such changes run one at a time per campaign. */
    default boolean changesCampaign() {
        return this instanceof UpdateCampaign || this instanceof PauseCampaign;
    }

    /** The broker id of the campaign the input names directly, or null. */
    default String campaignId() {
        return null;
    }

    /**
     * The tenant's objects the input names by broker id, keyed by input field ({@code campaign_id},
     * {@code group_id}, {@code creative_id}), in that order.
     */
    default Map<String, String> references() {
        Map<String, String> refs = new LinkedHashMap<>();
        switch (this) {
            case CreateAd ad -> {
                refs.put("group_id", ad.groupId());
                refs.put("creative_id", ad.creativeId());
            }
            default -> {
                if (campaignId() != null) {
                    refs.put("campaign_id", campaignId());
                }
            }
        }
        return refs;
    }

    /** The currency the input names (a budget's or a bid's), or null. */
    default String currency() {
        return null;
    }

    /** {@code ads.create_campaign}. {@code end}, when set, is where the provider stops it. */
    record CreateCampaign(String name, String objective, boolean active, CampaignBudget budget, Instant start,
            Instant end) implements ExecuteCommand {
        @Override public String action() {
            return "ads.create_campaign";
        }

        @Override public String currency() {
            return budget.amount().currency();
        }

        /** The campaign this creates, before any spend. */
        public CampaignState state() {
            return new CampaignState(budget, active, start, end);
        }

        /** The same command with the campaign stopping at {@code newEnd}. */
        public CreateCampaign endingAt(Instant newEnd) {
            return new CreateCampaign(name, objective, active, budget, start, newEnd);
        }
    }

    /** {@code ads.update_campaign}: every null field is left as it is. */
    record UpdateCampaign(String campaignId, String name, Boolean active, CampaignBudget budget, Instant end)
            implements ExecuteCommand {
        @Override public String action() {
            return "ads.update_campaign";
        }

        @Override public String currency() {
            return budget == null ? null : budget.amount().currency();
        }

        /** What it changes of the campaign's spend-relevant state. */
        public CampaignChange change() {
            return new CampaignChange(active, budget, end);
        }

        /** The same command with the campaign stopping at {@code newEnd}. */
        public UpdateCampaign endingAt(Instant newEnd) {
            return new UpdateCampaign(campaignId, name, active, budget, newEnd);
        }
    }

    /** {@code ads.pause_campaign}. */
    record PauseCampaign(String campaignId) implements ExecuteCommand {
        @Override public String action() {
            return "ads.pause_campaign";
        }

        public CampaignChange change() {
            return CampaignChange.pause();
        }
    }

    /** {@code ads.create_group}: an ad group of a campaign. {@code active} is null when the input left it out. */
    record CreateGroup(String campaignId, String name, Boolean active, Money bid, Targeting targeting)
            implements ExecuteCommand {
        @Override public String action() {
            return "ads.create_group";
        }

        @Override public String currency() {
            return bid == null ? null : bid.currency();
        }
    }

    /** Who an ad group reaches; every field is optional (null or empty when absent). */
    record Targeting(List<String> countries, Integer ageMin, Integer ageMax, List<String> languages,
            List<String> contextHints) {
        public Targeting {
            countries = countries == null ? List.of() : List.copyOf(countries);
            languages = languages == null ? List.of() : List.copyOf(languages);
            contextHints = contextHints == null ? List.of() : List.copyOf(contextHints);
        }

        /** No targeting at all. */
        public static final Targeting NONE = new Targeting(List.of(), null, null, List.of(), List.of());
    }

    /**
     * {@code ads.create_creative}: one or more headlines and descriptions (a single {@code headline}
     * or {@code body} of the input is a list of one), an image, a landing page. {@code callToAction}
     * may be null.
     */
    record CreateCreative(String name, List<String> headlines, List<String> descriptions, URI imageUrl,
            URI landingUrl, String callToAction) implements ExecuteCommand {
        public CreateCreative {
            headlines = headlines == null ? List.of() : List.copyOf(headlines);
            descriptions = descriptions == null ? List.of() : List.copyOf(descriptions);
        }

        @Override public String action() {
            return "ads.create_creative";
        }

        /** The first headline, or null when there is none. */
        public String headline() {
            return headlines.isEmpty() ? null : headlines.getFirst();
        }

        /** The first description (the body), or null when there is none. */
        public String body() {
            return descriptions.isEmpty() ? null : descriptions.getFirst();
        }
    }

    /** {@code ads.create_ad}: a creative placed in an ad group. {@code active} is null when the input left it out. */
    record CreateAd(String groupId, String creativeId, String name, Boolean active) implements ExecuteCommand {
        @Override public String action() {
            return "ads.create_ad";
        }
    }

    /** {@code ads.fetch_report}: one campaign's, or all ({@code campaignId} null). */
    record FetchReport(String campaignId, LocalDate since, LocalDate until, boolean total) implements ExecuteCommand {
        @Override public String action() {
            return "ads.fetch_report";
        }
    }
}
