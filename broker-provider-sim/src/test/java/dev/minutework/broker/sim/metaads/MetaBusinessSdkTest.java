package dev.minutework.broker.sim.metaads;

import static org.assertj.core.api.Assertions.assertThat;

import com.facebook.ads.sdk.APIContext;
import com.facebook.ads.sdk.APINodeList;
import com.facebook.ads.sdk.Ad;
import com.facebook.ads.sdk.AdAccount;
import com.facebook.ads.sdk.AdCreative;
import com.facebook.ads.sdk.AdCreativeLinkData;
import com.facebook.ads.sdk.AdCreativeLinkDataCallToAction;
import com.facebook.ads.sdk.AdCreativeObjectStorySpec;
import com.facebook.ads.sdk.AdImage;
import com.facebook.ads.sdk.AdSet;
import com.facebook.ads.sdk.AdsInsights;
import com.facebook.ads.sdk.Campaign;
import com.facebook.ads.sdk.Targeting;
import com.facebook.ads.sdk.TargetingAutomation;
import com.facebook.ads.sdk.TargetingGeoLocation;
import dev.minutework.broker.sim.SimRequest;
import dev.minutework.broker.sim.SimulatorTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Meta's own Java client (facebook-java-business-sdk, as published on Maven Central) driven against
 * the simulator: the SDK sends every POST as {@code multipart/form-data}, node calls with a trailing
 * slash, its own API version, creatives as {@code {"id":…}}, and reaches Graph only over HTTPS, so the
 * simulator serves its self-signed certificate, which this test, and only this test's connections,
 * trust.
 */
class MetaBusinessSdkTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final String TOKEN = "EAAB-sdk-sim-token-0123456789";
    static final String SECRET = "sdk-sim-app-secret-abcdef";
    static final String ACT = "act_777001";
    static final String PAGE = "2020202020";

    @TempDir
    Path dir;
    MetaAdsSimulator sim;
    APIContext context;
    SSLSocketFactory previous;

    @BeforeEach
    void start() {
        SimulatorTls tls = SimulatorTls.generate();
        sim = new MetaAdsSimulator(Clock.fixed(NOW, ZoneOffset.UTC));
        sim.useHttps(tls).start();
        sim.provision(Map.of("ad_account_id", ACT, "page_id", PAGE), Map.of("access_token", TOKEN, "app_secret", SECRET));
        // the SDK opens HttpsURLConnections with the default socket factory: trust the simulator's certificate only
        previous = HttpsURLConnection.getDefaultSSLSocketFactory();
        HttpsURLConnection.setDefaultSSLSocketFactory(tls.trustOnly().getSocketFactory());
        context = new APIContext(sim.origin().toString(), sim.origin().toString(), APIContext.DEFAULT_API_VERSION, TOKEN,
                SECRET, "1234567890", false);
    }

    @AfterEach
    void stop() {
        HttpsURLConnection.setDefaultSSLSocketFactory(previous);
        sim.close();
    }

    @Test
    void theSdkCreatesACampaignAdSetImageCreativeAndAdThenUpdatesPausesAndReadsInsights() throws Exception {
        AdAccount account = new AdAccount(ACT, context);

        Campaign campaign = account.createCampaign()
                .setName("SDK spring sale")
                .setObjective(Campaign.EnumObjective.VALUE_OUTCOME_TRAFFIC)
                .setStatus(Campaign.EnumStatus.VALUE_ACTIVE)
                .setSpecialAdCategories(List.of())
                .setDailyBudget(2000L)
                .execute();
        assertThat(campaign.getId()).matches("[0-9]+");

        AdSet adSet = account.createAdSet()
                .setName("SDK ad set")
                .setCampaignId(campaign.getId())
                .setBillingEvent(AdSet.EnumBillingEvent.VALUE_IMPRESSIONS)
                .setOptimizationGoal(AdSet.EnumOptimizationGoal.VALUE_LINK_CLICKS)
                .setBidAmount(150L)
                .setTargeting(new Targeting()
                        .setFieldGeoLocations(new TargetingGeoLocation().setFieldCountries(List.of("US")))
                        .setFieldTargetingAutomation(new TargetingAutomation().setFieldAdvantageAudience(0L)))
                .setStatus(AdSet.EnumStatus.VALUE_ACTIVE)
                .execute();
        assertThat(adSet.getId()).matches("[0-9]+");

        Path png = dir.resolve("sdk-banner.png");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        AdImage image = account.createAdImage().addUploadFile("sdk-banner.png", png.toFile()).execute();
        assertThat(image.getFieldHash()).matches("[0-9a-f]{32}");

        AdCreative creative = account.createAdCreative()
                .setName("SDK creative")
                .setObjectStorySpec(new AdCreativeObjectStorySpec()
                        .setFieldPageId(PAGE)
                        .setFieldLinkData(new AdCreativeLinkData()
                                .setFieldLink("https://shop.example.com/spring")
                                .setFieldMessage("Spring sale: 20% off")
                                .setFieldName("Spring sale")
                                .setFieldImageHash(image.getFieldHash())
                                .setFieldCallToAction(new AdCreativeLinkDataCallToAction()
                                        .setFieldType(AdCreativeLinkDataCallToAction.EnumType.VALUE_SHOP_NOW))))
                .execute();
        assertThat(creative.getId()).matches("[0-9]+");

        Ad ad = account.createAd()
                .setName("SDK ad")
                .setAdsetId(adSet.getId())
                .setCreative(new AdCreative().setFieldId(creative.getId()))
                .setStatus(Ad.EnumStatus.VALUE_ACTIVE)
                .execute();
        assertThat(ad.getId()).matches("[0-9]+");
        assertThat(sim.adCount(ACT)).isEqualTo(1);
        assertThat(sim.object(ad.getId())).containsEntry("creative", Map.of("id", creative.getId()));
        // the SDK's AdCreative serializes as {"id":…,"creative_id":…}
        assertThat(sim.requests().getLast().multipart()).anySatisfy(part -> assertThat(part.name()).isEqualTo("creative"));

        // the SDK posts multipart bodies to /v24.0/<node>/ — with the trailing slash
        SimRequest create = sim.requests().stream().filter(r -> r.path().endsWith("/campaigns")).findFirst().orElseThrow();
        assertThat(create.path()).isEqualTo("/" + APIContext.DEFAULT_API_VERSION + "/" + ACT + "/campaigns");
        assertThat(create.mediaType()).isEqualTo("multipart/form-data");

        campaign.update().setName("SDK spring sale, extended").execute();
        Campaign fetched = campaign.fetch(); // every field the SDK knows, adlabels and all
        assertThat(fetched.getFieldName()).isEqualTo("SDK spring sale, extended");
        assertThat(fetched.getFieldStatus()).isEqualTo(Campaign.EnumStatus.VALUE_ACTIVE);
        assertThat(fetched.getFieldDailyBudget()).isEqualTo("2000");
        assertThat(sim.requests().getLast().path()).isEqualTo("/" + APIContext.DEFAULT_API_VERSION + "/" + campaign.getId() + "/");

        APINodeList<AdsInsights> insights = campaign.getInsights()
                .setTimeRange(Map.of("since", "2026-11-20", "until", "2026-11-20"))
                .setTimeIncrement("1")
                .requestField("impressions").requestField("clicks").requestField("spend")
                .execute();
        assertThat(insights).hasSize(1);
        assertThat(insights.getFirst().getFieldSpend()).isEqualTo("16.00"); // 80% of the 20.00 daily budget
        assertThat(insights.getFirst().getFieldImpressions()).isEqualTo("8000");

        campaign.update().setStatus(Campaign.EnumStatus.VALUE_PAUSED).execute();
        assertThat(sim.object(campaign.getId())).containsEntry("status", "PAUSED");
        assertThat(new AdSet(adSet.getId(), context).fetch().getFieldEffectiveStatus())
                .isEqualTo(AdSet.EnumEffectiveStatus.VALUE_CAMPAIGN_PAUSED);
        assertThat(new Ad(ad.getId(), context).fetch().getFieldConfiguredStatus()).isEqualTo(Ad.EnumConfiguredStatus.VALUE_ACTIVE);
    }

    @Test
    void graphErrorsReachTheSdkAsItsOwnApiException() {
        AdAccount account = new AdAccount(ACT, context);
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> account.createCampaign()
                .setName("no categories").setObjective(Campaign.EnumObjective.VALUE_OUTCOME_TRAFFIC).execute());
        assertThat(thrown).isInstanceOf(com.facebook.ads.sdk.APIException.class)
                .hasMessageContaining("special_ad_categories");
    }
}
