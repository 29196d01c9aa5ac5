package dev.minutework.broker.sim.metaads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.json.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Meta simulator over HTTP, as Graph is called: {@code validate_only} checks a mutation by the
 * same rules and changes nothing, and what the simulator makes survives a restart on the same
 * journal.
 */
class MetaAdsSimulatorTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final String TOKEN = "EAAB-meta-sim-token-0123456789";
    static final String SECRET = "meta-sim-app-secret-abcdef";
    static final String PROOF = MetaAdsSimulator.proof(SECRET, TOKEN);
    static final String ACT = "act_4242";
    static final String PAGE = "1010101010";
    static final String VALIDATE_ONLY = "[\"validate_only\"]";
    static final String FIRST_ID = "120210000000000001";

    @TempDir
    Path dir;
    Path journal;
    MetaAdsSimulator sim;
    final HttpClient client = HttpClient.newHttpClient();

    record Answer(int status, Map<String, Object> body) {
        Map<?, ?> error() {
            return (Map<?, ?>) body.get("error");
        }
    }

    @BeforeEach
    void start() {
        journal = dir.resolve("simulators/metaads.jsonl");
        sim = started(journal);
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private static MetaAdsSimulator started(Path journal) {
        MetaAdsSimulator s = new MetaAdsSimulator(Clock.fixed(NOW, ZoneOffset.UTC));
        s.keepStateIn(journal);
        s.start();
        s.provision(Map.of("ad_account_id", ACT, "page_id", PAGE), Map.of("access_token", TOKEN, "app_secret", SECRET));
        return s;
    }

    private Answer post(String path, Map<String, String> params) {
        StringJoiner form = new StringJoiner("&");
        Map<String, String> all = new LinkedHashMap<>(params);
        all.put("access_token", TOKEN);
        all.put("appsecret_proof", PROOF);
        all.forEach((k, v) -> form.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), JsonParser.parseObject(r.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> with(Map<String, String> params, String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(params);
        m.put(key, value);
        return m;
    }

    private static Map<String, String> validateOnly(Map<String, String> params) {
        return with(params, "execution_options", VALIDATE_ONLY);
    }

    static Map<String, String> campaign() {
        return Map.of("name", "Boots [exe_1]", "objective", "OUTCOME_TRAFFIC", "status", "ACTIVE",
                "special_ad_categories", "[]", "daily_budget", "5000");
    }

    static Map<String, String> adSet(String campaignId) {
        return Map.of("name", "Hikers [exe_2]", "campaign_id", campaignId, "billing_event", "IMPRESSIONS",
                "optimization_goal", "LINK_CLICKS", "status", "PAUSED", "targeting", CanonicalJson.canonicalize(Map.of(
                        "geo_locations", Map.of("countries", List.of("US")), "age_min", 18L, "age_max", 40L,
                        "targeting_automation", Map.of("advantage_audience", 0L))));
    }

    static Map<String, String> creative(Map<String, Object> image) {
        Map<String, Object> link = new LinkedHashMap<>(Map.of("link", "https://shop.example.test/boots",
                "message", "Warm and dry.", "name", "Boots for winter", "description", "Free returns",
                "call_to_action", Map.of("type", "SHOP_NOW")));
        link.putAll(image);
        return Map.of("name", "Card [exe_3]", "object_story_spec", CanonicalJson.canonicalize(Map.of("page_id", PAGE,
                "link_data", link)));
    }

    static Map<String, String> ad(String adSetId, String creativeId) {
        return Map.of("name", "Ad [exe_4]", "adset_id", adSetId, "creative",
                CanonicalJson.canonicalize(Map.of("creative_id", creativeId)), "status", "PAUSED");
    }

    private String created(Answer a) {
        assertThat(a.status()).as("%s", a.body()).isEqualTo(200);
        return (String) a.body().get("id");
    }

    private String uploadedImage() {
        Answer a = post("/" + ACT + "/adimages", Map.of("url", "https://cdn.example.test/boot.png"));
        assertThat(a.status()).isEqualTo(200);
        Map<?, ?> images = (Map<?, ?>) a.body().get("images");
        return (String) ((Map<?, ?>) images.values().iterator().next()).get("hash");
    }

    private List<String> journalLines() {
        try {
            return Files.readAllLines(journal, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ validate_only

    @Test
    void validateOnlyCallsPassEveryEndpointWithSuccessTrueAndMakeNothing() {
        String campaign = created(post("/" + ACT + "/campaigns", campaign()));
        String adSet = created(post("/" + ACT + "/adsets", adSet(campaign)));
        String hash = uploadedImage();
        String creative = created(post("/" + ACT + "/adcreatives", creative(Map.of("image_hash", hash))));
        List<String> before = journalLines();

        List<Answer> answers = List.of(
                post("/" + ACT + "/campaigns", validateOnly(campaign())),
                post("/" + campaign, validateOnly(Map.of("status", "PAUSED", "daily_budget", "9000"))),
                post("/" + ACT + "/adsets", validateOnly(adSet(campaign))),
                post("/" + ACT + "/adcreatives", validateOnly(creative(Map.of("picture", "https://cdn.example.test/b.png")))),
                post("/" + ACT + "/ads", validateOnly(ad(adSet, creative))));

        assertThat(answers).allSatisfy(a -> {
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.body()).isEqualTo(Map.of("success", true));
        });
        assertThat(sim.campaignCount(ACT)).isEqualTo(1);
        assertThat(sim.adSetCount(ACT)).isEqualTo(1);
        assertThat(sim.creativeCount(ACT)).isEqualTo(1);
        assertThat(sim.adCount(ACT)).isZero();
        assertThat(sim.object(campaign)).containsEntry("status", "ACTIVE").containsEntry("daily_budget", "5000");
        assertThat(journalLines()).as("nothing recorded").isEqualTo(before);
    }

    @Test
    void validateOnlyHandsOutNoIdAndRecordsNothing() {
        assertThat(post("/" + ACT + "/campaigns", validateOnly(campaign())).body()).isEqualTo(Map.of("success", true));
        assertThat(post("/" + ACT + "/campaigns", validateOnly(campaign())).body()).isEqualTo(Map.of("success", true));
        assertThat(journalLines()).isEmpty();

        assertThat(created(post("/" + ACT + "/campaigns", campaign()))).isEqualTo(FIRST_ID);
    }

    @Test
    void validateOnlyRefusesWhatTheRealCallRefusesWithTheSameError() {
        Map<String, String> noCategories = new LinkedHashMap<>(campaign());
        noCategories.remove("special_ad_categories");
        Answer checked = post("/" + ACT + "/campaigns", validateOnly(noCategories));
        Answer real = post("/" + ACT + "/campaigns", noCategories);
        assertThat(checked.status()).isEqualTo(400).isEqualTo(real.status());
        assertThat(checked.error().get("code")).isEqualTo(100L).isEqualTo(real.error().get("code"));
        assertThat(checked.error().get("message")).isEqualTo("(#100) The parameter special_ad_categories is required")
                .isEqualTo(real.error().get("message"));

        String campaign = created(post("/" + ACT + "/campaigns", campaign()));
        Answer switchToLifetime = post("/" + campaign, validateOnly(Map.of("lifetime_budget", "90000",
                "stop_time", "2026-12-31T00:00:00+0000")));
        assertThat(switchToLifetime.error().get("error_user_msg"))
                .isEqualTo("A campaign's budget cannot switch between daily and lifetime.");

        Answer unknownImage = post("/" + ACT + "/adcreatives", validateOnly(creative(Map.of("image_hash", "0".repeat(32)))));
        assertThat(unknownImage.error().get("error_subcode")).isEqualTo(1_487_242L);
        assertThat(sim.campaignCount(ACT)).isEqualTo(1);
        assertThat(sim.creativeCount(ACT)).isZero();
    }

    @Test
    void imageUploadsHaveNoExecutionOptionsAndUnknownOptionsAreRefused() {
        Answer image = post("/" + ACT + "/adimages", validateOnly(Map.of("url", "https://cdn.example.test/boot.png")));
        assertThat(image.status()).isEqualTo(400);
        assertThat(image.error().get("message")).isEqualTo("(#100) execution_options is not a valid parameter");
        assertThat(sim.imageCount(ACT)).isZero();

        Answer review = post("/" + ACT + "/campaigns", with(campaign(), "execution_options", "[\"synchronous_ad_review\"]"));
        assertThat(review.status()).isEqualTo(400);
        assertThat(review.error().get("message")).isEqualTo("(#100) Invalid parameter: execution_options");
        Answer notJson = post("/" + ACT + "/campaigns", with(campaign(), "execution_options", "validate_only"));
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(sim.campaignCount(ACT)).isZero();
    }

    @Test
    void anAdSetMustSayWhetherAdvantageAudienceMayWidenItsTargeting() {
        String campaign = created(post("/" + ACT + "/campaigns", campaign()));
        Map<String, String> noFlag = with(adSet(campaign), "targeting", CanonicalJson.canonicalize(Map.of(
                "geo_locations", Map.of("countries", List.of("US")))));
        Answer refused = post("/" + ACT + "/adsets", validateOnly(noFlag));
        assertThat(refused.status()).isEqualTo(400);
        assertThat((String) refused.error().get("error_user_msg")).startsWith("Advantage audience flag required");

        Map<String, String> advantageWithNarrowAges = with(adSet(campaign), "targeting", CanonicalJson.canonicalize(Map.of(
                "geo_locations", Map.of("countries", List.of("US")), "age_max", 40L,
                "targeting_automation", Map.of("advantage_audience", 1L))));
        assertThat(post("/" + ACT + "/adsets", advantageWithNarrowAges).status()).isEqualTo(400);
        assertThat(sim.adSetCount(ACT)).isZero();
    }

    // ------------------------------------------------------------------ restarts

    @Test
    void everyObjectSurvivesARestartOnTheSameJournalOnceTheAccountIsProvisioned() {
        String campaign = created(post("/" + ACT + "/campaigns", campaign()));
        assertThat(post("/" + campaign, Map.of("status", "PAUSED")).body()).isEqualTo(Map.of("success", true));
        String adSet = created(post("/" + ACT + "/adsets", adSet(campaign)));
        String hash = uploadedImage();
        String creative = created(post("/" + ACT + "/adcreatives", creative(Map.of("image_hash", hash))));
        String ad = created(post("/" + ACT + "/ads", ad(adSet, creative)));
        Map<String, Object> campaignBefore = sim.object(campaign);
        Map<String, Object> adSetBefore = sim.object(adSet);
        Map<String, Object> creativeBefore = sim.object(creative);
        Map<String, Object> adBefore = sim.object(ad);
        sim.close();

        sim = started(journal);

        assertThat(sim.object(campaign)).isEqualTo(campaignBefore).containsEntry("status", "PAUSED");
        assertThat(sim.object(adSet)).isEqualTo(adSetBefore);
        assertThat(sim.object(creative)).isEqualTo(creativeBefore);
        assertThat(sim.object(ad)).isEqualTo(adBefore);
        assertThat(sim.imageCount(ACT)).isEqualTo(1);
        // the restored image and objects are usable, and new ids continue after the old ones
        String again = created(post("/" + ACT + "/adcreatives", creative(Map.of("image_hash", hash))));
        assertThat(Long.parseLong(again)).isGreaterThan(Long.parseLong(ad));
        assertThat(created(post("/" + ACT + "/ads", ad(adSet, again)))).isNotEqualTo(ad);
        assertThat(sim.adCount(ACT)).isEqualTo(2);
    }

    @Test
    void anAccountNotProvisionedAgainStaysUnreachableAndTheJournalHoldsNoSecret() {
        created(post("/" + ACT + "/campaigns", campaign()));
        sim.close();
        sim = new MetaAdsSimulator(Clock.fixed(NOW, ZoneOffset.UTC));
        sim.keepStateIn(journal);
        sim.start();

        assertThat(sim.campaignCount(ACT)).isZero();
        assertThat(post("/" + ACT + "/campaigns", campaign()).error().get("code")).isEqualTo(190L);
        assertThat(String.join("\n", journalLines())).contains(FIRST_ID).doesNotContain(TOKEN).doesNotContain(SECRET)
                .doesNotContain(PROOF);
    }

    // ------------------------------------------------------------------ creative sources

    private static String spec(String kind, Map<String, Object> data) {
        return CanonicalJson.canonicalize(Map.of("page_id", PAGE, kind, data));
    }

    @Test
    void creativesTakeEveryDocumentedSourceAndAreRefusedAsGraphRefusesThem() {
        String hash = uploadedImage();
        String video = created(post("/" + ACT + "/advideos", Map.of("file_url", "https://cdn.example.test/teaser.mp4",
                "title", "Teaser")));
        assertThat(sim.object(video)).containsEntry("title", "Teaser").containsEntry("status", Map.of("video_status", "ready"));

        String photo = created(post("/" + ACT + "/adcreatives", Map.of("object_story_spec",
                spec("photo_data", Map.of("url", "https://cdn.example.test/p.png", "caption", "New")))));
        String withVideo = created(post("/" + ACT + "/adcreatives", Map.of("name", "Video", "object_story_spec",
                spec("video_data", Map.of("video_id", video, "image_hash", hash, "message", "Watch")))));
        assertThat(sim.object(withVideo).get("effective_object_story_id")).asString().startsWith(PAGE + "_");
        assertThat(sim.object(photo)).doesNotContainKey("name");
        String post = sim.publishPagePost(PAGE);
        created(post("/" + ACT + "/adcreatives", Map.of("object_story_id", post)));
        created(post("/" + ACT + "/adcreatives", Map.of("name", "Feed", "asset_feed_spec",
                "{\"bodies\":[{\"text\":\"Hi\"}]}", "object_story_spec", CanonicalJson.canonicalize(Map.of("page_id", PAGE)))));
        assertThat(sim.creativeCount(ACT)).isEqualTo(4);

        // what Graph refuses: an unknown video, a video without a thumbnail, another page, an unknown post,
        // two story kinds, an unknown photo_data field, no source at all
        Answer unknownVideo = post("/" + ACT + "/adcreatives", Map.of("object_story_spec",
                spec("video_data", Map.of("video_id", "999", "image_hash", hash))));
        Answer noThumbnail = post("/" + ACT + "/adcreatives", Map.of("object_story_spec",
                spec("video_data", Map.of("video_id", video))));
        Answer otherPage = post("/" + ACT + "/adcreatives", Map.of("object_story_spec", CanonicalJson.canonicalize(
                Map.of("page_id", "777", "text_data", Map.of("message", "Hi")))));
        Answer otherPagePost = post("/" + ACT + "/adcreatives", Map.of("object_story_id", "777_1"));
        Answer unknownPost = post("/" + ACT + "/adcreatives", Map.of("object_story_id", PAGE + "_12345"));
        Answer twoKinds = post("/" + ACT + "/adcreatives", Map.of("object_story_spec", CanonicalJson.canonicalize(
                Map.of("page_id", PAGE, "text_data", Map.of("message", "Hi"), "photo_data", Map.of("image_hash", hash)))));
        Answer unknownField = post("/" + ACT + "/adcreatives", Map.of("object_story_spec",
                spec("photo_data", Map.of("image_hash", hash, "colour", "red"))));
        Answer none = post("/" + ACT + "/adcreatives", Map.of("name", "Empty"));
        for (Answer a : List.of(unknownVideo, noThumbnail, otherPage, otherPagePost, unknownPost, twoKinds, unknownField, none)) {
            assertThat(a.status()).as("%s", a.body()).isEqualTo(400);
            assertThat(a.error().get("code")).isEqualTo(100L);
        }
        assertThat(otherPage.error().get("error_subcode")).isEqualTo(1_487_901L);
        assertThat(none.error().get("message")).isEqualTo("(#100) Invalid parameter");
        assertThat(sim.creativeCount(ACT)).isEqualTo(4);

        // videos: one source only, https, no resumable upload; a video is restored after a restart, as is a post
        assertThat(post("/" + ACT + "/advideos", Map.of("title", "Nothing")).status()).isEqualTo(400);
        assertThat(post("/" + ACT + "/advideos", Map.of("file_url", "http://cdn.example.test/v.mp4")).status()).isEqualTo(400);
        assertThat(post("/" + ACT + "/advideos", Map.of("upload_phase", "start", "file_size", "10")).status()).isEqualTo(400);
        assertThat(post("/" + ACT + "/advideos", Map.of("file_url", "https://cdn.example.test/v.mp4", "colour", "red"))
                .error().get("message")).isEqualTo("(#100) colour is not a valid parameter");
        String story = (String) sim.object(withVideo).get("effective_object_story_id");
        sim.close();
        sim = started(journal);
        assertThat(sim.object(video)).containsEntry("title", "Teaser");
        created(post("/" + ACT + "/adcreatives", Map.of("object_story_id", story)));
        created(post("/" + ACT + "/adcreatives", Map.of("object_story_spec",
                spec("video_data", Map.of("video_id", video, "image_url", "https://cdn.example.test/t.png")))));
    }
}
