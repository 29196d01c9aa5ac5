package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Ledger;
import dev.minutework.broker.server.support.Story;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Campaign and object projections: tenants reference only broker ids of their own projections,
 * never provider ids and never another tenant's objects; reports come back in the unified row shape.
 */
class AdsObjectsTest extends BrokerTestCase {

    private static final List<String> ALL_MUTATING = List.of("ads.create_campaign", "ads.update_campaign",
            "ads.pause_campaign", "ads.create_group", "ads.create_creative", "ads.create_ad");


    @Test
    void groupsCreativesAndAdsAreProjectedUnderBrokerIds() {
        Story.Tenant t = standing("Builder");
        String campaign = run(t, "ads.create_campaign", "obj-1", Story.campaign("Built boots", 20_000));
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("campaign_id", campaign);
        group.put("name", "Cold cities");
        group.put("status", "active");
        group.put("bid", Map.of("amount_minor", 150, "currency", "USD"));
        group.put("targeting", Map.of("countries", List.of("US", "CA"), "age_min", 18, "languages", List.of("en")));
        String groupId = run(t, "ads.create_group", "obj-2", group);
        String creativeId = run(t, "ads.create_creative", "obj-3", Map.of("name", "Boot photo", "headline", "Warm boots",
                "body", "Built for winter", "image_url", "https://img.example.test/boots.png",
                "landing_url", "https://shop.example.test/boots", "call_to_action", "shop_now"));
        String adId = run(t, "ads.create_ad", "obj-4", Map.of("group_id", groupId, "creative_id", creativeId,
                "name", "Boots in the cold"));

        JsonNode campaigns = expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns");
        assertThat(campaigns).singleElement().satisfies(c -> {
            assertThat(c.get("campaign_id").asString()).isEqualTo(campaign);
            assertThat(c.get("provider").asString()).isEqualTo("openaiads");
            assertThat(c.get("provider_object_id").asString()).isNotEqualTo(campaign);
        });
        JsonNode objects = expect(200, http.get("/v1/ads/objects", t.viewerKey())).at("/objects");
        Map<String, JsonNode> byId = new HashMap<>();
        objects.forEach(o -> byId.put(o.get("object_id").asString(), o));
        assertThat(byId.keySet()).containsExactlyInAnyOrder(groupId, creativeId, adId);

        JsonNode g = byId.get(groupId);
        assertThat(g.get("kind").asString()).isEqualTo("group");
        assertThat(g.get("campaign_id").asString()).isEqualTo(campaign);
        assertThat(g.get("parent_id").asString()).isEqualTo(campaign);
        assertThat(g.get("name").asString()).isEqualTo("Cold cities");
        assertThat(g.get("status").asString()).isEqualTo("active");
        assertThat(g.at("/data/targeting/countries/1").asString()).isEqualTo("CA");
        JsonNode c = byId.get(creativeId);
        assertThat(c.get("kind").asString()).isEqualTo("creative");
        assertThat(c.get("campaign_id").isNull()).isTrue();
        assertThat(c.get("review_status").asString()).isEqualTo("approved");
        JsonNode a = byId.get(adId);
        assertThat(a.get("kind").asString()).isEqualTo("ad");
        assertThat(a.get("campaign_id").asString()).isEqualTo(campaign);
        assertThat(a.get("parent_id").asString()).isEqualTo(groupId);
        assertThat(a.get("review_status").asString()).isEqualTo("in_review");
        for (JsonNode o : objects) {
            assertThat(o.get("provider_object_id").asString()).isNotBlank().isNotEqualTo(o.get("object_id").asString());
            assertThat(o.get("provider").asString()).isEqualTo("openaiads");
        }

        assertThat(ids(expect(200, http.get("/v1/ads/objects?kind=ad", t.viewerKey())).at("/objects"))).containsExactly(adId);
        assertThat(ids(expect(200, http.get("/v1/ads/objects?campaign_id=" + campaign, t.viewerKey())).at("/objects")))
                .containsExactlyInAnyOrder(groupId, adId);
        assertThat(expect(400, http.get("/v1/ads/objects?kind=pixel", t.viewerKey())).errorCode()).isEqualTo("invalid_input");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).as("objects add no exposure").isEqualTo(20_000);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void madeUpReferencesAreRefused() {
        Story.Tenant t = standing("Made Up");
        String campaign = run(t, "ads.create_campaign", "ref-1", Story.campaign("Real boots", 5_000));
        String creative = run(t, "ads.create_creative", "ref-2", creative());

        Http.Response group = expect(404, story.execute(t.runtimeKey(), "ads.create_group", "ref-3",
                Map.of("campaign_id", "cmp_doesnotexist00000000", "name", "Nowhere")));
        Http.Response providerId = expect(404, story.execute(t.runtimeKey(), "ads.create_group", "ref-4",
                Map.of("campaign_id", providerObjectId(t, campaign), "name", "By provider id")));
        Http.Response wrongKind = expect(404, story.execute(t.runtimeKey(), "ads.create_ad", "ref-5",
                Map.of("group_id", campaign, "creative_id", creative, "name", "Campaign as group")));
        Http.Response pause = expect(404, story.execute(t.runtimeKey(), "ads.pause_campaign", "ref-6",
                Map.of("campaign_id", creative)));

        for (Http.Response r : List.of(group, providerId, wrongKind, pause)) {
            assertThat(r.errorCode()).isEqualTo("not_found");
        }
        assertThat(story.receiptPayloads(t, "execution.refused")).extracting(p -> p.get("code").asString())
                .containsExactly("not_found", "not_found", "not_found", "not_found");
        assertThat(jdbc.sql("select count(*) from executions where tenant_id = :t").param("t", t.id())
                .query(Long.class).single()).as("only the two real creations ran").isEqualTo(2);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void anotherTenantsObjectsCannotBeReferencedOrSeen() {
        Story.Tenant owner = standing("Owner");
        String campaign = run(owner, "ads.create_campaign", "own-1", Story.campaign("Owned boots", 10_000));
        String group = run(owner, "ads.create_group", "own-2", Map.of("campaign_id", campaign, "name", "Owned group"));
        String creative = run(owner, "ads.create_creative", "own-3", creative());
        String ownerExecution = jdbc.sql("select id from executions where tenant_id = :t and idempotency_key = 'own-1'")
                .param("t", owner.id()).query(String.class).single();
        Story.Tenant intruder = standing("Intruder");

        List<Http.Response> refused = List.of(
                story.execute(intruder.runtimeKey(), "ads.create_group", "in-1", Map.of("campaign_id", campaign, "name", "Mine now")),
                story.execute(intruder.runtimeKey(), "ads.create_ad", "in-2",
                        Map.of("group_id", group, "creative_id", creative, "name", "Mine now")),
                story.execute(intruder.runtimeKey(), "ads.pause_campaign", "in-3", Map.of("campaign_id", campaign)),
                story.execute(intruder.runtimeKey(), "ads.update_campaign", "in-4",
                        Map.of("campaign_id", campaign, "status", "paused")),
                story.execute(intruder.runtimeKey(), "ads.fetch_report", "in-5", Map.of("campaign_id", campaign,
                        "since", "2026-11-01", "until", "2026-11-02", "granularity", "day")));

        assertThat(refused).allSatisfy(r -> {
            assertThat(r.status()).as("%s", r).isEqualTo(404);
            assertThat(r.errorCode()).isEqualTo("not_found");
        });
        assertThat(expect(200, http.get("/v1/ads/campaigns", intruder.viewerKey())).at("/campaigns")).isEmpty();
        assertThat(expect(200, http.get("/v1/ads/objects", intruder.viewerKey())).at("/objects")).isEmpty();
        assertThat(expect(404, http.get("/v1/executions/" + ownerExecution, intruder.viewerKey())).errorCode())
                .isEqualTo("not_found");
        JsonNode owned = expect(200, http.get("/v1/ads/campaigns", owner.viewerKey())).at("/campaigns/0");
        assertThat(owned.get("status").asString()).isEqualTo("active");
        assertThat(story.wallet(owner).get("reserved_minor").asLong()).isEqualTo(10_000);
        assertThat(jdbc.sql("select count(*) from executions where tenant_id = :t").param("t", intruder.id())
                .query(Long.class).single()).isZero();
        Ledger.assertConsistent(jdbc, owner.id());
        Ledger.assertConsistent(jdbc, intruder.id());
    }

    @Test
    void fetchReportReturnsUnifiedRowsForTheTenantsCampaigns() {
        Story.Tenant t = standing("Reporter");
        String first = run(t, "ads.create_campaign", "rep-1", Story.campaign("Report one", 5_000));
        String second = run(t, "ads.create_campaign", "rep-2", Story.campaign("Report two", 5_000));
        LocalDate until = LocalDate.now(ZoneOffset.UTC);
        LocalDate since = until.minusDays(2);

        Http.Response daily = expect(200, story.execute(t.runtimeKey(), "ads.fetch_report", "rep-3",
                Map.of("since", since.toString(), "until", until.toString(), "granularity", "day")));

        assertThat(daily.text("/status")).isEqualTo("succeeded");
        assertThat(daily.at("/approval_id").isNull()).isTrue();
        JsonNode rows = daily.at("/result/rows");
        assertThat(rows).hasSize(6);
        Map<String, long[]> sums = new HashMap<>();
        for (JsonNode row : rows) {
            List<String> fields = new ArrayList<>(row.propertyNames());
            assertThat(fields).containsExactlyInAnyOrder("date", "campaign_id", "impressions", "clicks", "spend_minor",
                    "currency");
            assertThat(row.get("campaign_id").asString()).isIn(first, second);
            assertThat(LocalDate.parse(row.get("date").asString())).isBetween(since, until);
            assertThat(row.get("currency").asString()).isEqualTo("USD");
            for (String n : List.of("impressions", "clicks", "spend_minor")) {
                assertThat(row.get(n).isIntegralNumber()).as(n).isTrue();
                assertThat(row.get(n).asLong()).as(n).isNotNegative();
            }
            long[] s = sums.computeIfAbsent(row.get("campaign_id").asString(), k -> new long[3]);
            s[0] += row.get("impressions").asLong();
            s[1] += row.get("clicks").asLong();
            s[2] += row.get("spend_minor").asLong();
        }
        assertThat(rows).extracting(r -> r.get("date").asString() + "/" + r.get("campaign_id").asString())
                .doesNotHaveDuplicates();

        Http.Response total = expect(200, story.execute(t.runtimeKey(), "ads.fetch_report", "rep-4",
                Map.of("since", since.toString(), "until", until.toString(), "granularity", "total")));
        assertThat(total.at("/result/rows")).hasSize(2).allSatisfy(r -> {
            assertThat(r.get("date").isNull()).isTrue();
            long[] s = sums.get(r.get("campaign_id").asString());
            assertThat(r.get("impressions").asLong()).isEqualTo(s[0]);
            assertThat(r.get("clicks").asLong()).isEqualTo(s[1]);
            assertThat(r.get("spend_minor").asLong()).isEqualTo(s[2]);
        });

        Http.Response one = expect(200, story.execute(t.runtimeKey(), "ads.fetch_report", "rep-5",
                Map.of("campaign_id", first, "since", since.toString(), "until", until.toString(), "granularity", "day")));
        assertThat(one.at("/result/rows")).hasSize(3)
                .allSatisfy(r -> assertThat(r.get("campaign_id").asString()).isEqualTo(first));
        assertThat(Set.copyOf(jdbc.sql("select status from executions where tenant_id = :t and action = 'ads.fetch_report'")
                .param("t", t.id()).query(String.class).list())).containsExactly("succeeded");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).as("reports reserve nothing").isEqualTo(10_000);
        Ledger.assertConsistent(jdbc, t.id());
    }

    // ------------------------------------------------------------------ helpers

    /** A ready tenant whose approver issued a standing grant for every mutating action. */
    private static Story.Tenant standing(String name) {
        Story.Tenant t = story.tenant(name, Story.Setup.ready());
        expect(201, story.standingGrant(t, ALL_MUTATING, 100_000,
                Instant.now().plus(7, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString(), null));
        return t;
    }

    /** Runs an action under the standing grant and returns the broker id of the object it made. */
    private static String run(Story.Tenant t, String action, String key, Map<String, Object> input) {
        Http.Response r = story.execute(t.runtimeKey(), action, key, input);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.text("/status")).as("%s", r).isEqualTo("succeeded");
        return r.text("/result/object_id");
    }

    private static Map<String, Object> creative() {
        return Map.of("name", "Creative one", "headline", "Warm boots", "body", "For winter",
                "image_url", "https://img.example.test/boots.png", "landing_url", "https://shop.example.test/boots");
    }

    private static String providerObjectId(Story.Tenant t, String campaignId) {
        return jdbc.sql("select provider_object_id from ads_campaigns where tenant_id = :t and id = :id")
                .param("t", t.id()).param("id", campaignId).query(String.class).single();
    }

    private static List<String> ids(JsonNode objects) {
        List<String> out = new ArrayList<>();
        objects.forEach(o -> out.add(o.get("object_id").asString()));
        return out;
    }
}
