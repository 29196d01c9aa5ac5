package dev.minutework.broker.sim.openaiads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.sim.SimStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the OpenAI simulator writes to its journal and reads back, over its HTTP API: every kind of
 * object under its ad account, the id counter, never a key.
 */
class OpenAiAdsSimulatorJournalTest {

    static final String KEY = "sk-journal-key-0123456789";
    static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    Path journal;
    OpenAiAdsSimulator sim;

    @BeforeEach
    void start() {
        journal = dir.resolve("openaiads.jsonl");
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
        sim = new OpenAiAdsSimulator(Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC));
        sim.keepStateIn(journal).start();
        sim.provision(Map.of("ad_account_id", "act_42"), Map.of("api_key", KEY));
    }

    record Answer(int status, Map<String, Object> json) {}

    private Answer call(String key, String method, String path, Map<String, Object> body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(CanonicalJson.canonicalize(body)));
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), JsonParser.parseObject(r.body()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String create(String path, Map<String, Object> body, String idField) {
        Answer a = call(KEY, "POST", path, body);
        assertThat(a.status()).as("%s", a.json()).isEqualTo(200);
        return (String) a.json().get(idField);
    }

    private String campaign() {
        return create("/campaigns", Map.of("name", "Winter boots", "status", "active",
                "budget", Map.of("lifetime_spend_limit_micros", 500_000_000L)), "id");
    }

    @Test
    void everyKindOfObjectIsRecordedUnderItsAdAccountWithTheIdCounterAndNoKey() throws IOException {
        String cid = campaign();
        String gid = create("/ad_groups", Map.of("campaign_id", cid, "name", "Hikers"), "id");
        String file = create("/upload", Map.of("image_url", "https://cdn.example.test/boot.png"), "file_id");
        String ad = create("/ads", Map.of("ad_group_id", gid, "name", "Ad", "creative", Map.of("type", "chat_card",
                "title", "Boots", "body", "Warm.", "target_url", "https://shop.example.test/", "file_id", file)), "id");
        sim.close();

        try (SimStore store = SimStore.at(journal)) {
            Map<String, Map<String, Map<String, Object>>> kept = store.account("act_42");
            assertThat(kept).containsOnlyKeys(OpenAiAdsSimulator.CAMPAIGN, OpenAiAdsSimulator.AD_GROUP,
                    OpenAiAdsSimulator.FILE, OpenAiAdsSimulator.AD);
            assertThat(kept.get(OpenAiAdsSimulator.CAMPAIGN)).containsOnlyKeys(cid);
            assertThat(kept.get(OpenAiAdsSimulator.AD_GROUP)).containsOnlyKeys(gid);
            assertThat(kept.get(OpenAiAdsSimulator.FILE)).containsOnlyKeys(file);
            assertThat(kept.get(OpenAiAdsSimulator.AD).get(ad)).containsEntry("review_status", "in_review");
            assertThat(store.counter(OpenAiAdsSimulator.ID_COUNTER, 0)).isEqualTo(OpenAiAdsSimulator.FIRST_ID + 4);
        }
        assertThat(Files.readString(journal)).doesNotContain(KEY);
    }

    @Test
    void anArchivedCampaignIsStillArchivedAfterARestart() {
        String cid = campaign();
        assertThat(call(KEY, "POST", "/campaigns/" + cid + "/archive", null).json())
                .containsEntry("status", "archived");

        restart();

        Answer update = call(KEY, "POST", "/campaigns/" + cid, Map.of("name", "Summer boots"));
        assertThat(update.status()).isEqualTo(400);
        assertThat(call(KEY, "GET", "/campaigns/" + cid, null).json()).containsEntry("status", "archived")
                .containsEntry("name", "Winter boots");
    }

    @Test
    void aFieldClearedBeforeARestartStaysCleared() {
        String cid = create("/campaigns", Map.of("name", "Winter boots", "status", "paused", "description", "boots",
                "budget", Map.of("lifetime_spend_limit_micros", 500_000_000L), "end_time", 1_800_000_000L), "id");
        Map<String, Object> clear = new java.util.HashMap<>();
        clear.put("end_time", null);
        clear.put("description", null);
        assertThat(call(KEY, "POST", "/campaigns/" + cid, clear).status()).isEqualTo(200);

        restart();

        Map<String, Object> c = call(KEY, "GET", "/campaigns/" + cid, null).json();
        assertThat(c.get("end_time")).isNull();
        assertThat(c.get("description")).isNull();
        assertThat(c).containsEntry("budget", Map.of("lifetime_spend_limit_micros", 500_000_000L));
    }

    @Test
    void anotherKeyOfTheSameAdAccountSeesItsObjectsAndAnotherAccountDoesNot() {
        String cid = campaign();

        restart();
        sim.provision(Map.of("ad_account_id", "act_42"), Map.of("api_key", KEY + "-second"));
        sim.provision(Map.of("ad_account_id", "act_43"), Map.of("api_key", KEY + "-other"));

        assertThat(((List<?>) call(KEY + "-second", "GET", "/campaigns", null).json().get("data")).stream()
                .map(c -> (Object) ((Map<?, ?>) c).get("id")).toList()).containsExactly(cid);
        assertThat((List<?>) call(KEY + "-other", "GET", "/campaigns", null).json().get("data")).isEmpty();
        assertThat(sim.campaignCount("act_42")).isEqualTo(1);
    }
}
