package dev.minutework.broker.providers.googleads;

import static dev.minutework.broker.providers.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.providers.http.ProviderHttp;
import dev.minutework.broker.sim.SimRequest;
import dev.minutework.broker.sim.googleads.GoogleAdsSimulator;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Google Ads simulator on a free port with the test customer provisioned, and the adapter that
 * speaks to it over HTTP: the account and credentials of {@link GoogleAdsAdapterContractTest}, an
 * image download that counts itself, and shortcuts that make the usual objects.
 */
final class SimulatedGoogleAds implements AutoCloseable {

    static final Instant NOW = GoogleAdsAdapterContractTest.NOW;
    static final String CID = GoogleAdsAdapterContractTest.CID;
    static final Map<String, String> SCOPE = GoogleAdsAdapterContractTest.SCOPE;
    static final Map<String, String> CREDENTIALS = GoogleAdsAdapterContractTest.CREDENTIALS;
    static final List<String> HEADLINES = GoogleAdsAdapterContractTest.HEADLINES;
    static final List<String> DESCRIPTIONS = GoogleAdsAdapterContractTest.DESCRIPTIONS;

    final MutableClock clock;
    final GoogleAdsAdapterFactory factory;
    final GoogleAdsSimulator sim;
    final ProviderAccountContext account;
    final GoogleAdsAdapter adapter;
    final AtomicInteger downloads = new AtomicInteger();

    /** A fresh simulator that keeps nothing across restarts. */
    SimulatedGoogleAds() {
        this(new MutableClock(NOW), null, null);
    }

    /**
     * A simulator keeping its objects in {@code journal} (when not null), reached through
     * {@code factory}'s sessions (a new factory when null), on {@code clock}.
     */
    SimulatedGoogleAds(MutableClock clock, GoogleAdsAdapterFactory factory, Path journal) {
        this.clock = clock;
        this.sim = new GoogleAdsSimulator(clock);
        if (journal != null) {
            sim.keepStateIn(journal);
        }
        sim.start();
        sim.provision(SCOPE, CREDENTIALS);
        this.factory = factory != null ? factory : new GoogleAdsAdapterFactory(new ProviderHttp(), this::fetch, clock);
        this.account = new ProviderAccountContext("pac_g1", "googleads", SCOPE, new ProviderCredentials(CREDENTIALS),
                sim.baseUrl().toString());
        this.adapter = new GoogleAdsAdapter(new ProviderHttp(), sim.baseUrl(), URI.create(sim.origin() + "/oauth2/v3/token"),
                account, this.factory.session(account), this::fetch, clock, Duration.ofMillis(10));
    }

    private byte[] fetch(URI url) {
        downloads.incrementAndGet();
        assertThat(url).isEqualTo(URI.create("https://cdn.example.test/boot.png"));
        return GoogleAdsAdapterContractTest.PNG;
    }

    ProviderOutcome execute(String action, String ref, Map<String, Object> input, Map<String, String> providerIds) {
        return adapter.execute(request(NOW, action, ref, input, providerIds));
    }

    Optional<ProviderOutcome> validate(String action, String ref, Map<String, Object> input, Map<String, String> providerIds) {
        return adapter.validate(request(NOW, action, ref, input, providerIds));
    }

    /** Creates a paused daily campaign named "Winter boots"; its id. */
    String campaign(String ref) {
        return made(execute("ads.create_campaign", ref, GoogleAdsAdapterContractTest.campaign(50_000, "daily", "paused"),
                Map.of()));
    }

    static Map<String, Object> group(String name, Map<String, Object> targeting) {
        return Map.of("campaign_id", "cmp_b", "name", name, "bid", Map.of("amount_minor", 250, "currency", "USD"),
                "targeting", targeting);
    }

    /** Creates a group of the campaign with this targeting. */
    ProviderOutcome group(String ref, String campaignId, String name, Map<String, Object> targeting) {
        return execute("ads.create_group", ref, group(name, targeting), Map.of("campaign_id", campaignId));
    }

    /** The id of a success; fails the test for anything else. */
    static String made(ProviderOutcome out) {
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        return ((ProviderOutcome.Succeeded) out).providerObjectId();
    }

    /** Every request as {@code METHOD path}, the path without the customer's prefix. */
    List<String> calls() {
        return sim.requests().stream().map(r -> r.method() + " " + r.path().replace("/v26/customers/" + CID + "/", ""))
                .toList();
    }

    SimRequest lastTo(String suffix) {
        return sim.requests().stream().filter(r -> r.path().endsWith(suffix)).reduce((a, b) -> b).orElseThrow();
    }

    /** How many objects of every kind the customer has: budgets, campaigns, groups, criteria, assets, ads. */
    List<Integer> counts() {
        return List.of(sim.budgetCount(CID), sim.campaignCount(CID), sim.adGroupCount(CID), sim.criterionCount(CID),
                sim.assetCount(CID), sim.adCount(CID));
    }

    @Override
    public void close() {
        sim.close();
    }
}
