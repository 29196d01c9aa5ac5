package dev.minutework.broker.sim.tiktokads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.sim.SimStore;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the TikTok simulator writes to its journal and reads back, over its HTTP API: every kind of
 * object under its advertiser, the ad group {@code request_id}s, the id counter, never a token.
 */
class TikTokAdsSimulatorJournalTest {

    static final String TOKEN = "act.journal-token-0123456789";
    static final String ADVERTISER = "7000000000000000001";
    static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    Path journal;
    TikTokAdsSimulator sim;

    @BeforeEach
    void start() {
        journal = dir.resolve("tiktokads.jsonl");
        restart();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private void restart() {
        if (sim != null) {
            sim.close();
        }
        sim = new TikTokAdsSimulator(Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC));
        sim.keepStateIn(journal).start();
        sim.provision(Map.of("advertiser_id", ADVERTISER), Map.of("access_token", TOKEN));
    }

    /** The {@code data} of a successful answer; fails on a non-zero code. */
    private Map<String, Object> call(String method, String path, Map<String, Object> body) {
        Map<String, Object> envelope = envelope(method, path, body);
        assertThat(envelope.get("code")).as("%s", envelope).isEqualTo(0L);
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) envelope.get("data");
        return data;
    }

    private Map<String, Object> envelope(String method, String path, Map<String, Object> body) {
        Map<String, Object> b = new LinkedHashMap<>(body);
        b.put("advertiser_id", ADVERTISER);
        String uri = sim.baseUrl() + path;
        HttpRequest.Builder r;
        if (method.equals("GET")) {
            StringBuilder q = new StringBuilder();
            b.forEach((k, v) -> q.append(q.isEmpty() ? "?" : "&").append(k).append('=')
                    .append(URLEncoder.encode(v instanceof String s ? s : CanonicalJson.canonicalize(v),
                            StandardCharsets.UTF_8)));
            r = HttpRequest.newBuilder(URI.create(uri + q)).GET();
        } else {
            r = HttpRequest.newBuilder(URI.create(uri)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(CanonicalJson.canonicalize(b)));
        }
        try {
            return JsonParser.parseObject(CLIENT.send(r.header("Access-Token", TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String campaign() {
        return (String) call("POST", "/campaign/create/", Map.of("campaign_name", "Winter boots",
                "objective_type", "TRAFFIC", "budget_mode", "BUDGET_MODE_DAY", "budget", 100L)).get("campaign_id");
    }

    private Map<String, Object> group(String cid) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("campaign_id", cid);
        g.put("adgroup_name", "Hikers");
        g.put("promotion_type", "WEBSITE");
        g.put("placements", List.of("PLACEMENT_TIKTOK"));
        g.put("location_ids", List.of("6252001"));
        g.put("budget_mode", "BUDGET_MODE_DAY");
        g.put("budget", 100L);
        g.put("schedule_type", "SCHEDULE_FROM_NOW");
        g.put("schedule_start_time", "2026-11-20 12:00:00");
        g.put("optimization_goal", "CLICK");
        g.put("billing_event", "CPC");
        g.put("request_id", "123456789");
        return g;
    }

    @Test
    void everyKindOfObjectIsRecordedUnderItsAdvertiserWithTheRequestIdsAndNoToken() throws IOException {
        String cid = campaign();
        String gid = (String) call("POST", "/adgroup/create/", group(cid)).get("adgroup_id");
        String image = (String) call("POST", "/file/image/ad/upload/", Map.of("upload_type", "UPLOAD_BY_URL",
                "image_url", "https://cdn.example.test/boot.png")).get("image_id");
        Map<String, Object> creative = Map.of("ad_name", "Ad", "ad_format", "SINGLE_IMAGE", "ad_text", "Warm.",
                "call_to_action", "LEARN_MORE", "landing_page_url", "https://shop.example.test/",
                "image_ids", List.of(image), "display_name", "Boots");
        String ad = (String) ((List<?>) call("POST", "/ad/create/", Map.of("adgroup_id", gid,
                "creatives", List.of(creative))).get("ad_ids")).getFirst();
        call("POST", "/ad/status/update/", Map.of("ad_ids", List.of(ad), "operation_status", "DISABLE"));
        sim.close();

        try (SimStore store = SimStore.at(journal)) {
            Map<String, Map<String, Map<String, Object>>> kept = store.account(ADVERTISER);
            assertThat(kept).containsOnlyKeys(TikTokAdsSimulator.CAMPAIGN, TikTokAdsSimulator.AD_GROUP,
                    TikTokAdsSimulator.AD_GROUP_REQUEST, TikTokAdsSimulator.IMAGE, TikTokAdsSimulator.AD);
            assertThat(kept.get(TikTokAdsSimulator.CAMPAIGN)).containsOnlyKeys(cid);
            assertThat(kept.get(TikTokAdsSimulator.AD_GROUP)).containsOnlyKeys(gid);
            assertThat(kept.get(TikTokAdsSimulator.AD_GROUP_REQUEST)).containsEntry("123456789",
                    Map.of("adgroup_id", gid));
            assertThat(kept.get(TikTokAdsSimulator.IMAGE)).containsOnlyKeys(image);
            assertThat(kept.get(TikTokAdsSimulator.AD).get(ad)).containsEntry("operation_status", "DISABLE");
            // the ids are 19 digits; the journal counts from the base instead
            assertThat(store.counter(TikTokAdsSimulator.ID_COUNTER, 0))
                    .as("campaign, group, image and its material, ad").isEqualTo(5L);
        }
        assertThat(Files.readString(journal)).doesNotContain(TOKEN);
    }

    @Test
    void aDeletedCampaignIsStillGoneAfterARestart() {
        String cid = campaign();
        call("POST", "/campaign/status/update/", Map.of("campaign_ids", List.of(cid), "operation_status", "DELETE"));

        restart();

        assertThat((List<?>) call("GET", "/campaign/get/", Map.of()).get("list")).isEmpty();
        assertThat(envelope("POST", "/campaign/status/update/", Map.of("campaign_ids", List.of(cid),
                "operation_status", "ENABLE")).get("code")).isEqualTo(40002L);
    }

    @Test
    void aNameTakenBeforeARestartIsStillTaken() {
        campaign();

        restart();

        Map<String, Object> again = envelope("POST", "/campaign/create/", Map.of("campaign_name", "Winter boots",
                "objective_type", "TRAFFIC", "budget_mode", "BUDGET_MODE_DAY", "budget", 100L));
        assertThat(again.get("code")).isEqualTo(40002L);
        assertThat((String) again.get("message")).contains("already exists");
    }
}
