package dev.minutework.broker.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.provider.ProviderCapabilities;
import dev.minutework.broker.core.provider.ProviderCapabilities.Creatives;
import dev.minutework.broker.core.provider.ProviderCapabilities.Feature;
import dev.minutework.broker.core.provider.ProviderCapabilities.TargetingKind;
import dev.minutework.broker.core.spend.BudgetPeriod;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProviderNotesTest {

    static final ProviderCapabilities SEARCH = new ProviderCapabilities(EnumSet.allOf(BudgetPeriod.class), Set.of(),
            Set.of("traffic"), new ProviderCapabilities.Targeting(EnumSet.of(TargetingKind.COUNTRIES,
                    TargetingKind.LANGUAGES), Set.of("US", "DE"), Set.of("en"), Set.of(), Set.of(), false,
                    "locations apply to the campaign"),
            new Creatives(3, 15, 30, 2, 4, 90, Set.of()), EnumSet.of(Feature.REPORTS, Feature.DRY_RUN));
    static final ProviderCapabilities CHAT = new ProviderCapabilities(EnumSet.of(BudgetPeriod.LIFETIME), Set.of("USD"),
            Set.copyOf(ProviderCapabilities.ALL_OBJECTIVES), new ProviderCapabilities.Targeting(
                    EnumSet.of(TargetingKind.CONTEXT_HINTS), Set.of(), Set.of(), Set.of(), Set.of(), false, null),
            new Creatives(1, 1, 50, 1, 1, 100, Set.of()), EnumSet.noneOf(Feature.class));

    static Map<String, Map<String, Object>> both() {
        Map<String, Map<String, Object>> m = new LinkedHashMap<>();
        m.put("googleads", SEARCH.describe());
        m.put("openaiads", CHAT.describe());
        return m;
    }

    @Test
    void eachActionNamesWhatEachProviderTakesForIt() {
        assertThat(ProviderNotes.forAction("ads.create_creative", both())).isEqualTo(" Per provider (anything else is "
                + "refused with provider_unsupported before approval): googleads: 3-15 headlines of at most 30 "
                + "characters, 2-4 descriptions of at most 90 characters, no call to action (checked by the provider "
                + "before approval); openaiads: 1 headline of at most 50 characters, 1 description of at most 100 "
                + "characters, no call to action.");
        assertThat(ProviderNotes.forAction("ads.create_campaign", both()))
                .contains("openaiads: budgets [lifetime], objectives [awareness, traffic, engagement, leads, "
                        + "app_promotion, sales], currencies [USD]")
                .contains("googleads: budgets [daily, lifetime], objectives [traffic], currencies any");
        assertThat(ProviderNotes.forAction("ads.create_group", both()))
                .contains("googleads: targeting [countries, languages], countries [DE, US], languages [en] "
                        + "(locations apply to the campaign)")
                .contains("openaiads: targeting [context_hints]");
        assertThat(ProviderNotes.forAction("ads.fetch_report", both())).contains("openaiads: no reports")
                .doesNotContain("googleads");
        assertThat(ProviderNotes.forAction("ads.pause_campaign", both())).isEmpty();
    }
}
