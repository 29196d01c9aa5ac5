package dev.minutework.broker.core.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.command.ExecuteCommand.CreateCampaign;
import dev.minutework.broker.core.command.ExecuteCommand.CreateCreative;
import dev.minutework.broker.core.command.ExecuteCommand.CreateGroup;
import dev.minutework.broker.core.command.ExecuteCommand.Targeting;
import dev.minutework.broker.core.command.FieldError;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.core.provider.ProviderCapabilities.Creatives;
import dev.minutework.broker.core.provider.ProviderCapabilities.Feature;
import dev.minutework.broker.core.provider.ProviderCapabilities.TargetingKind;
import dev.minutework.broker.core.spend.BudgetPeriod;
import dev.minutework.broker.core.spend.CampaignBudget;
import java.net.URI;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProviderCapabilitiesTest {

    /** A provider shaped like Google's search ads: many short headlines, location and language targeting. */
    static final ProviderCapabilities SEARCH = new ProviderCapabilities(EnumSet.of(BudgetPeriod.DAILY),
            Set.of("USD", "EUR"), Set.of("traffic", "sales"),
            new ProviderCapabilities.Targeting(EnumSet.of(TargetingKind.COUNTRIES, TargetingKind.LANGUAGES),
                    Set.of("US", "DE"), Set.of("en", "de"), Set.of(), Set.of(), false, "per campaign"),
            new Creatives(3, 15, 30, 2, 4, 90, Set.of()), EnumSet.of(Feature.REPORTS, Feature.DRY_RUN));

    static CreateCreative creative(List<String> headlines, List<String> descriptions, String cta) {
        return new CreateCreative("c", headlines, descriptions, URI.create("https://a.example/i.png"),
                URI.create("https://a.example/"), cta);
    }

    static List<String> paths(ExecuteCommand c, ProviderCapabilities caps) {
        return caps.misfits(c, "search").stream().map(FieldError::path).toList();
    }

    @Test
    void whatFitsHasNoMisfits() {
        assertThat(SEARCH.misfits(creative(List.of("Warm boots", "Dry feet", "Free returns"),
                List.of("Boots for wet winters.", "Ships today."), null), "search")).isEmpty();
        assertThat(SEARCH.misfits(new CreateGroup("cmp", "g", null, Money.of(50, "USD"),
                new Targeting(List.of("US"), null, null, List.of("en"), List.of())), "search")).isEmpty();
        assertThat(ProviderCapabilities.ANY.misfits(creative(List.of("h"), List.of("b"), "shop_now"), "sandbox"))
                .isEmpty();
    }

    @Test
    void creativeCountsLengthsAndCallsToActionAreNamedByField() {
        assertThat(paths(creative(List.of("One headline"), List.of("Boots for wet winters.", "Ships today."), null),
                SEARCH)).containsExactly("$.input.headlines");
        assertThat(paths(creative(List.of("Warm boots", "Dry feet", "A headline far longer than thirty characters"),
                List.of("d1", "d2"), "shop_now"), SEARCH))
                .containsExactly("$.input.headlines[2]", "$.input.call_to_action");
        List<FieldError> errors = SEARCH.misfits(creative(List.of("a", "b", "c"), List.of("only one"), null), "search");
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("$.input.descriptions");
            assertThat(e.message()).isEqualTo("search takes 2 to 4 descriptions, not 1");
        });
    }

    @Test
    void targetingNamesTheKindOrValueTheProviderLacks() {
        CreateGroup hints = new CreateGroup("cmp", "g", null, null,
                new Targeting(List.of("FR", "US"), 18, null, List.of("en"), List.of("boots")));
        assertThat(SEARCH.misfits(hints, "search")).extracting(FieldError::path, FieldError::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple("$.input.targeting.countries", "search cannot target [FR]"),
                org.assertj.core.groups.Tuple.tuple("$.input.targeting.age_min", "search cannot target ages"),
                org.assertj.core.groups.Tuple.tuple("$.input.targeting.context_hints", "search has no context hints"));
        ProviderCapabilities brackets = new ProviderCapabilities(EnumSet.allOf(BudgetPeriod.class), Set.of(),
                Set.of(), new ProviderCapabilities.Targeting(EnumSet.of(TargetingKind.COUNTRIES, TargetingKind.AGE),
                        Set.of(), Set.of(), Set.of(18, 25), Set.of(24, 65), true, null),
                Creatives.NEUTRAL, Set.of());
        assertThat(paths(new CreateGroup("cmp", "g", null, null, new Targeting(List.of(), 21, 24, List.of(),
                List.of())), brackets)).containsExactly("$.input.targeting.countries", "$.input.targeting.age_min");
    }

    @Test
    void budgetPeriodCurrencyAndObjectiveAreChecked() {
        CreateCampaign lifetimeInGbp = new CreateCampaign("c", "awareness", false,
                new CampaignBudget(Money.of(10_000, "GBP"), BudgetPeriod.LIFETIME), null, null);
        List<FieldError> errors = SEARCH.misfits(lifetimeInGbp, "search");
        assertThat(errors).extracting(FieldError::path).containsExactly("$.input.budget.period",
                "$.input.budget.currency", "$.input.objective");
        assertThat(errors.get(0).message()).isEqualTo("search does not take lifetime budgets (it takes [daily])");
        assertThat(errors.get(2).message()).isEqualTo("search takes objectives [sales, traffic], not awareness");
    }

    @Test
    void theDescriptionListsWhatTheProviderTakes() {
        Map<String, Object> d = SEARCH.describe();
        assertThat(d.get("budget_periods")).isEqualTo(List.of("daily"));
        assertThat(d.get("objectives")).isEqualTo(List.of("traffic", "sales"));
        assertThat(d.get("features")).isEqualTo(List.of("dry_run", "reports"));
        assertThat(SEARCH.summary("search")).contains("3-15 headlines of <=30 chars", "no call to action",
                "checked by the provider before approval");
    }
}
