package dev.minutework.broker.core.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minutework.broker.core.command.Commands.Invalid;
import dev.minutework.broker.core.command.Commands.Parsed;
import dev.minutework.broker.core.command.Commands.Valid;
import dev.minutework.broker.core.command.ExecuteCommand.CreateAd;
import dev.minutework.broker.core.command.ExecuteCommand.CreateCampaign;
import dev.minutework.broker.core.command.ExecuteCommand.CreateCreative;
import dev.minutework.broker.core.command.ExecuteCommand.CreateGroup;
import dev.minutework.broker.core.command.ExecuteCommand.FetchReport;
import dev.minutework.broker.core.command.ExecuteCommand.PauseCampaign;
import dev.minutework.broker.core.command.ExecuteCommand.Targeting;
import dev.minutework.broker.core.command.ExecuteCommand.UpdateCampaign;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.core.spend.BudgetPeriod;
import dev.minutework.broker.core.spend.CampaignBudget;
import dev.minutework.broker.core.spend.CampaignChange;
import dev.minutework.broker.core.spend.CampaignState;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Commands.parse: one record per action, and each semantic rule an Invalid with its exact path. */
class CommandsTest {

    /** The clock of every test: dates are relative to it, never to the real current date. */
    static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    private static Parsed parse(String action, Map<String, Object> in) {
        return Commands.parse(action, in, NOW);
    }

    private static ExecuteCommand valid(String action, Map<String, Object> in) {
        Parsed p = parse(action, in);
        assertThat(p).as("%s %s", action, in).isInstanceOf(Valid.class);
        return ((Valid) p).command();
    }

    private static List<FieldError> invalid(String action, Map<String, Object> in) {
        Parsed p = parse(action, in);
        assertThat(p).as("%s %s", action, in).isInstanceOf(Invalid.class);
        return ((Invalid) p).errors();
    }

    private static Map<String, Object> budget(long amount, String currency, String period) {
        return Map.of("amount_minor", amount, "currency", currency, "period", period);
    }

    private static Map<String, Object> with(Map<String, Object> base, Object... kv) {
        Map<String, Object> m = new HashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static final Map<String, Object> CAMPAIGN = Map.of("name", "Boots", "objective", "traffic",
            "status", "active", "budget", budget(50_000, "USD", "lifetime"));

    // ------------------------------------------------------------------ each action to its record

    @Test
    void createCampaign() {
        ExecuteCommand c = valid("ads.create_campaign", with(CAMPAIGN, "start_time", "2030-01-02T00:00:00Z",
                "end_time", "2030-02-01T12:00:00+02:00"));
        CampaignBudget budget = new CampaignBudget(Money.of(50_000, "USD"), BudgetPeriod.LIFETIME);
        assertThat(c).isEqualTo(new CreateCampaign("Boots", "traffic", true, budget,
                Instant.parse("2030-01-02T00:00:00Z"), Instant.parse("2030-02-01T10:00:00Z")));
        assertThat(c.action()).isEqualTo("ads.create_campaign");
        assertThat(c.currency()).isEqualTo("USD");
        assertThat(c.mutating()).isTrue();
        assertThat(c.raisesSpend()).isTrue();
        assertThat(c.lowersSpendOnly()).isFalse();
        assertThat(c.changesCampaign()).isFalse();
        assertThat(c.references()).isEmpty();
        assertThat(((CreateCampaign) c).state()).isEqualTo(new CampaignState(budget, true,
                Instant.parse("2030-01-02T00:00:00Z"), Instant.parse("2030-02-01T10:00:00Z")));
        assertThat(((CreateCampaign) c).endingAt(NOW.plusSeconds(60)).end()).isEqualTo(NOW.plusSeconds(60));
    }

    @Test
    void createCampaignPausedWithADailyBudgetAndNoTimes() {
        CreateCampaign c = (CreateCampaign) valid("ads.create_campaign", with(CAMPAIGN, "status", "paused",
                "budget", budget(1_000, "JPY", "daily")));
        assertThat(c.active()).isFalse();
        assertThat(c.budget()).isEqualTo(new CampaignBudget(Money.of(1_000, "JPY"), BudgetPeriod.DAILY));
        assertThat(c.start()).isNull();
        assertThat(c.end()).isNull();
        assertThat(c.currency()).isEqualTo("JPY");
    }

    @Test
    void updateCampaign() {
        UpdateCampaign u = (UpdateCampaign) valid("ads.update_campaign", Map.of("campaign_id", "cmp_1",
                "name", "Renamed", "status", "paused", "budget", budget(70_000, "USD", "daily"),
                "end_time", "2030-03-01T00:00:00Z"));
        CampaignBudget budget = new CampaignBudget(Money.of(70_000, "USD"), BudgetPeriod.DAILY);
        assertThat(u).isEqualTo(new UpdateCampaign("cmp_1", "Renamed", false, budget,
                Instant.parse("2030-03-01T00:00:00Z")));
        assertThat(u.change()).isEqualTo(new CampaignChange(false, budget, Instant.parse("2030-03-01T00:00:00Z")));
        assertThat(u.references()).containsExactly(Map.entry("campaign_id", "cmp_1"));
        assertThat(u.campaignId()).isEqualTo("cmp_1");
        assertThat(u.raisesSpend()).isTrue();
        assertThat(u.changesCampaign()).isTrue();
        assertThat(u.currency()).isEqualTo("USD");
    }

    @Test
    void updateCampaignLeavesWhatItDoesNotName() {
        UpdateCampaign u = (UpdateCampaign) valid("ads.update_campaign", Map.of("campaign_id", "cmp_1"));
        assertThat(u).isEqualTo(new UpdateCampaign("cmp_1", null, null, null, null));
        assertThat(u.change()).isEqualTo(new CampaignChange(null, null, null));
        assertThat(u.currency()).isNull();
        UpdateCampaign active = (UpdateCampaign) valid("ads.update_campaign", Map.of("campaign_id", "cmp_1",
                "status", "active"));
        assertThat(active.active()).isTrue();
    }

    @Test
    void pauseCampaign() {
        ExecuteCommand p = valid("ads.pause_campaign", Map.of("campaign_id", "cmp_9"));
        assertThat(p).isEqualTo(new PauseCampaign("cmp_9"));
        assertThat(((PauseCampaign) p).change()).isEqualTo(CampaignChange.pause());
        assertThat(p.lowersSpendOnly()).isTrue();
        assertThat(p.raisesSpend()).isFalse();
        assertThat(p.changesCampaign()).isTrue();
        assertThat(p.mutating()).isTrue();
        assertThat(p.currency()).isNull();
        assertThat(p.references()).containsExactly(Map.entry("campaign_id", "cmp_9"));
    }

    @Test
    void createGroup() {
        ExecuteCommand g = valid("ads.create_group", Map.of("campaign_id", "cmp_1", "name", "Group", "status",
                "active", "bid", Map.of("amount_minor", 150, "currency", "EUR"), "targeting",
                Map.of("countries", List.of("DE", "AT"), "age_min", 18, "age_max", 65, "languages", List.of("de"),
                        "context_hints", List.of("hiking"))));
        assertThat(g).isEqualTo(new CreateGroup("cmp_1", "Group", true, Money.of(150, "EUR"),
                new Targeting(List.of("DE", "AT"), 18, 65, List.of("de"), List.of("hiking"))));
        assertThat(g.currency()).isEqualTo("EUR");
        assertThat(g.raisesSpend()).isFalse();
        assertThat(g.changesCampaign()).isFalse();
        assertThat(g.references()).containsExactly(Map.entry("campaign_id", "cmp_1"));
    }

    @Test
    void createGroupWithoutBidStatusOrTargeting() {
        CreateGroup g = (CreateGroup) valid("ads.create_group", Map.of("campaign_id", "cmp_1", "name", "Bare"));
        assertThat(g).isEqualTo(new CreateGroup("cmp_1", "Bare", null, null, Targeting.NONE));
        assertThat(g.currency()).isNull();
        CreateGroup partial = (CreateGroup) valid("ads.create_group", Map.of("campaign_id", "cmp_1", "name", "P",
                "targeting", Map.of("age_min", 21)));
        assertThat(partial.targeting()).isEqualTo(new Targeting(List.of(), 21, null, List.of(), List.of()));
    }

    @Test
    void createCreative() {
        ExecuteCommand c = valid("ads.create_creative", Map.of("name", "Creative", "headline", "Walk far",
                "body", "Boots that last", "image_url", "https://cdn.example.com/boot.png",
                "landing_url", "https://shop.example.com/boots?x=1", "call_to_action", "shop_now"));
        assertThat(c).isEqualTo(new CreateCreative("Creative", List.of("Walk far"), List.of("Boots that last"),
                URI.create("https://cdn.example.com/boot.png"), URI.create("https://shop.example.com/boots?x=1"),
                "shop_now"));
        assertThat(c.references()).isEmpty();
        assertThat(c.currency()).isNull();
        CreateCreative noCta = (CreateCreative) valid("ads.create_creative", Map.of("name", "C", "headline", "h",
                "body", "b", "image_url", "https://a.example/i.png", "landing_url", "https://a.example/"));
        assertThat(noCta.callToAction()).isNull();
    }

    @Test
    void aCreativeTakesListsOfHeadlinesAndDescriptionsOrOneOfEach() {
        CreateCreative lists = (CreateCreative) valid("ads.create_creative", Map.of("name", "Boots",
                "headlines", List.of("Warm boots", "Dry feet", "Free returns"),
                "descriptions", List.of("Boots for wet winters.", "Order by noon, ships today."),
                "image_url", "https://a.example/i.png", "landing_url", "https://a.example/"));
        assertThat(lists.headlines()).containsExactly("Warm boots", "Dry feet", "Free returns");
        assertThat(lists.descriptions()).containsExactly("Boots for wet winters.", "Order by noon, ships today.");
        assertThat(lists.headline()).isEqualTo("Warm boots");
        assertThat(lists.body()).isEqualTo("Boots for wet winters.");
        // the same creative named both ways parses to the same command
        CreateCreative single = (CreateCreative) valid("ads.create_creative", Map.of("name", "Boots",
                "headline", "Warm boots", "descriptions", List.of("Boots for wet winters."),
                "image_url", "https://a.example/i.png", "landing_url", "https://a.example/"));
        CreateCreative listOfOne = (CreateCreative) valid("ads.create_creative", Map.of("name", "Boots",
                "headlines", List.of("Warm boots"), "body", "Boots for wet winters.",
                "image_url", "https://a.example/i.png", "landing_url", "https://a.example/"));
        assertThat(single).isEqualTo(listOfOne);
    }

    @Test
    void aCreativeNamesItsTextsOneWayAndWithoutRepeats() {
        Map<String, Object> both = new java.util.HashMap<>(Map.of("name", "Boots", "headline", "Warm boots",
                "headlines", List.of("Dry feet"), "body", "b", "image_url", "https://a.example/i.png",
                "landing_url", "https://a.example/"));
        assertThat(invalid("ads.create_creative", both)).extracting(FieldError::path).containsExactly("$.input.headlines");
        Map<String, Object> neither = Map.of("name", "Boots", "headline", "Warm boots",
                "image_url", "https://a.example/i.png", "landing_url", "https://a.example/");
        assertThat(invalid("ads.create_creative", neither)).extracting(FieldError::path)
                .containsExactly("$.input.descriptions");
        Map<String, Object> repeated = Map.of("name", "Boots", "headlines", List.of("Dry feet", "Warm", "Dry feet"),
                "body", "b", "image_url", "https://a.example/i.png", "landing_url", "https://a.example/");
        assertThat(invalid("ads.create_creative", repeated)).extracting(FieldError::path)
                .containsExactly("$.input.headlines[2]");
    }

    @Test
    void createAd() {
        ExecuteCommand a = valid("ads.create_ad", Map.of("group_id", "grp_1", "creative_id", "crv_1", "name", "Ad",
                "status", "paused"));
        assertThat(a).isEqualTo(new CreateAd("grp_1", "crv_1", "Ad", false));
        assertThat(a.references()).containsExactly(Map.entry("group_id", "grp_1"), Map.entry("creative_id", "crv_1"));
        assertThat(a.campaignId()).isNull();
        assertThat(((CreateAd) valid("ads.create_ad", Map.of("group_id", "g", "creative_id", "c", "name", "n")))
                .active()).isNull();
    }

    @Test
    void fetchReport() {
        ExecuteCommand r = valid("ads.fetch_report", Map.of("campaign_id", "cmp_1", "since", "2029-12-01",
                "until", "2029-12-31", "granularity", "total"));
        assertThat(r).isEqualTo(new FetchReport("cmp_1", LocalDate.parse("2029-12-01"), LocalDate.parse("2029-12-31"),
                true));
        assertThat(r.mutating()).isFalse();
        assertThat(r.raisesSpend()).isFalse();
        assertThat(r.references()).containsExactly(Map.entry("campaign_id", "cmp_1"));
        FetchReport all = (FetchReport) valid("ads.fetch_report", Map.of("since", "2029-12-01", "until", "2029-12-01",
                "granularity", "day"));
        assertThat(all).isEqualTo(new FetchReport(null, LocalDate.parse("2029-12-01"), LocalDate.parse("2029-12-01"),
                false));
        assertThat(all.references()).isEmpty();
    }

    @Test
    void everyActionHasACommandAndAReservedOneHasNone() {
        assertThat(Commands.ACTIONS).hasSize(7);
        assertThatThrownBy(() -> Commands.parse("ads.delete_campaign", Map.of("campaign_id", "c"), NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ads.delete_campaign");
    }

    // ------------------------------------------------------------------ semantic rules

    @Test
    void anEndBeforeOrAtTheStartIsInvalid() {
        assertThat(invalid("ads.create_campaign", with(CAMPAIGN, "start_time", "2030-02-01T00:00:00Z",
                "end_time", "2030-01-15T00:00:00Z")))
                .containsExactly(new FieldError("$.input.end_time", "must be after start_time"));
        assertThat(invalid("ads.create_campaign", with(CAMPAIGN, "start_time", "2030-02-01T00:00:00Z",
                "end_time", "2030-02-01T00:00:00Z")))
                .containsExactly(new FieldError("$.input.end_time", "must be after start_time"));
        // the same instant in another offset is still not after it
        assertThat(invalid("ads.create_campaign", with(CAMPAIGN, "start_time", "2030-02-01T00:00:00Z",
                "end_time", "2030-02-01T01:00:00+01:00"))).extracting(FieldError::path)
                .containsExactly("$.input.end_time");
    }

    @Test
    void anEndInThePastOrNowIsInvalid() {
        assertThat(invalid("ads.create_campaign", with(CAMPAIGN, "end_time", "2029-12-31T23:59:59Z")))
                .containsExactly(new FieldError("$.input.end_time", "must be in the future"));
        assertThat(invalid("ads.update_campaign", Map.of("campaign_id", "c", "end_time", NOW.toString())))
                .containsExactly(new FieldError("$.input.end_time", "must be in the future"));
        assertThat(valid("ads.update_campaign", Map.of("campaign_id", "c", "end_time", NOW.plusSeconds(1).toString())))
                .isInstanceOf(UpdateCampaign.class);
    }

    @Test
    void anEndBeforeTheStartAndInThePastNamesBoth() {
        assertThat(invalid("ads.create_campaign", with(CAMPAIGN, "start_time", "2029-06-01T00:00:00Z",
                "end_time", "2029-05-01T00:00:00Z")))
                .containsExactly(new FieldError("$.input.end_time", "must be after start_time"),
                        new FieldError("$.input.end_time", "must be in the future"));
    }

    @Test
    void aTimeThatIsNotRfc3339IsInvalid() {
        assertThat(invalid("ads.create_campaign", with(CAMPAIGN, "start_time", "+12030-01-01T00:00:00Z")))
                .containsExactly(new FieldError("$.input.start_time", "must be an RFC 3339 date-time"));
        assertThat(invalid("ads.create_campaign", with(CAMPAIGN, "end_time", "2030-13-01T00:00:00Z")))
                .containsExactly(new FieldError("$.input.end_time", "must be an RFC 3339 date-time"));
    }

    @Test
    void anUnknownCurrencyIsInvalid() {
        assertThat(invalid("ads.create_campaign", with(CAMPAIGN, "budget", budget(100, "XYZ", "lifetime"))))
                .containsExactly(new FieldError("$.input.budget.currency", "must be an ISO-4217 currency code"));
        assertThat(invalid("ads.create_group", Map.of("campaign_id", "c", "name", "g", "bid",
                Map.of("amount_minor", 10, "currency", "ABC"))))
                .containsExactly(new FieldError("$.input.bid.currency", "must be an ISO-4217 currency code"));
    }

    @Test
    void anAmountOutOfRangeIsInvalid() {
        String message = "must be from 1 to " + Money.MAX_AMOUNT_MINOR;
        assertThat(invalid("ads.create_campaign", with(CAMPAIGN, "budget",
                budget(Money.MAX_AMOUNT_MINOR + 1, "USD", "lifetime"))))
                .containsExactly(new FieldError("$.input.budget.amount_minor", message));
        assertThat(invalid("ads.update_campaign", Map.of("campaign_id", "c", "budget", budget(0, "USD", "daily"))))
                .containsExactly(new FieldError("$.input.budget.amount_minor", message));
        assertThat(invalid("ads.create_group", Map.of("campaign_id", "c", "name", "g", "bid",
                Map.of("amount_minor", -5, "currency", "USD"))))
                .containsExactly(new FieldError("$.input.bid.amount_minor", message));
        // the bounds themselves are valid
        assertThat(valid("ads.create_campaign", with(CAMPAIGN, "budget", budget(Money.MAX_AMOUNT_MINOR, "USD",
                "lifetime")))).isInstanceOf(CreateCampaign.class);
        assertThat(valid("ads.create_campaign", with(CAMPAIGN, "budget", budget(1, "USD", "lifetime"))))
                .isInstanceOf(CreateCampaign.class);
    }

    @Test
    void anAgeRangeOutOfOrderIsInvalid() {
        assertThat(invalid("ads.create_group", Map.of("campaign_id", "c", "name", "g", "targeting",
                Map.of("age_min", 40, "age_max", 30))))
                .containsExactly(new FieldError("$.input.targeting.age_min", "must not exceed age_max"));
        assertThat(valid("ads.create_group", Map.of("campaign_id", "c", "name", "g", "targeting",
                Map.of("age_min", 30, "age_max", 30)))).isInstanceOf(CreateGroup.class);
    }

    @Test
    void aUrlWithCredentialsOrWithoutAHostIsInvalid() {
        Map<String, Object> creative = Map.of("name", "C", "headline", "h", "body", "b",
                "image_url", "https://cdn.example.com/i.png", "landing_url", "https://shop.example.com/");
        String message = "must be an https URL with a host and no credentials";
        assertThat(invalid("ads.create_creative", with(creative, "image_url", "https://user:secret@cdn.example.com/i.png")))
                .containsExactly(new FieldError("$.input.image_url", message));
        assertThat(invalid("ads.create_creative", with(creative, "landing_url", "https:///no-host")))
                .containsExactly(new FieldError("$.input.landing_url", message));
        assertThat(invalid("ads.create_creative", with(creative, "landing_url", "https://shop.example.com/a b")))
                .containsExactly(new FieldError("$.input.landing_url", "must be an https URL"));
    }

    @Test
    void reportDatesThatAreNotDatesAreInvalid() {
        FieldError notDates = new FieldError("$.input.since", "since and until must be dates (YYYY-MM-DD)");
        assertThat(invalid("ads.fetch_report", Map.of("since", "2029/12/01", "until", "2029-12-31")))
                .containsExactly(notDates);
        assertThat(invalid("ads.fetch_report", Map.of("since", "2029-12-01", "until", "31.12.2029")))
                .containsExactly(notDates);
        assertThat(invalid("ads.fetch_report", Map.of("since", "2029-02-30", "until", "2029-03-31")))
                .containsExactly(notDates);
        assertThat(invalid("ads.fetch_report", Map.of("until", "2029-03-31"))).containsExactly(notDates);
    }

    @Test
    void reportDatesReversedAreInvalid() {
        assertThat(invalid("ads.fetch_report", Map.of("since", "2029-12-02", "until", "2029-12-01")))
                .containsExactly(new FieldError("$.input.until", "must not be before since"));
    }

    @Test
    void aReportCoversAtMost367Days() {
        // 2028 is a leap year: 2028-01-01 .. 2029-01-01 is 367 days inclusive
        assertThat(valid("ads.fetch_report", Map.of("since", "2028-01-01", "until", "2029-01-01")))
                .isInstanceOf(FetchReport.class);
        assertThat(invalid("ads.fetch_report", Map.of("since", "2028-01-01", "until", "2029-01-02")))
                .containsExactly(new FieldError("$.input.until", "a report covers at most 367 days"));
    }

    @Test
    void reportDatesAreOnlyReadForReports() {
        assertThat(valid("ads.pause_campaign", Map.of("campaign_id", "c", "since", "garbage")))
                .isEqualTo(new PauseCampaign("c"));
    }

    @Test
    void everyBrokenRuleIsReportedAtOnce() {
        List<FieldError> errors = invalid("ads.create_campaign", with(CAMPAIGN, "end_time", "2029-01-01T00:00:00Z",
                "budget", budget(0, "XYZ", "lifetime")));
        assertThat(errors).extracting(FieldError::path).containsExactly("$.input.end_time",
                "$.input.budget.currency", "$.input.budget.amount_minor");
    }
}
