package dev.minutework.broker.core.execution;

import dev.minutework.broker.core.command.ExecuteCommand;
import static dev.minutework.broker.core.execution.Snapshots.ready;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.command.ExecuteCommand.CreateAd;
import dev.minutework.broker.core.command.ExecuteCommand.CreateCampaign;
import dev.minutework.broker.core.command.ExecuteCommand.CreateCreative;
import dev.minutework.broker.core.command.ExecuteCommand.CreateGroup;
import dev.minutework.broker.core.command.ExecuteCommand.FetchReport;
import dev.minutework.broker.core.command.ExecuteCommand.PauseCampaign;
import dev.minutework.broker.core.command.ExecuteCommand.Targeting;
import dev.minutework.broker.core.command.ExecuteCommand.UpdateCampaign;
import dev.minutework.broker.core.execution.ReadinessChecks.Gate;
import dev.minutework.broker.core.provider.ProviderCheck;
import java.net.URI;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadinessChecksTest {

    static final ExecuteCommand CREATE = new CreateCampaign("c", "traffic", true, Snapshots.lifetime(1_000), null,
            null);
    static final ExecuteCommand UPDATE = new UpdateCampaign("cmp_1", "n", null, null, null);
    static final ExecuteCommand PAUSE = new PauseCampaign("cmp_1");
    static final ExecuteCommand GROUP = new CreateGroup("cmp_1", "g", null, null, Targeting.NONE);
    static final ExecuteCommand CREATIVE = new CreateCreative("c", List.of("h"), List.of("b"), URI.create("https://a.example/i.png"),
            URI.create("https://a.example/"), null);
    static final ExecuteCommand AD = new CreateAd("grp_1", "crv_1", "a", null);
    static final ExecuteCommand REPORT = new FetchReport(null, LocalDate.parse("2029-12-01"),
            LocalDate.parse("2029-12-31"), false);
    static final List<ExecuteCommand> EVERY = List.of(CREATE, UPDATE, PAUSE, GROUP, CREATIVE, AD, REPORT);

    private static List<String> names(List<ProviderCheck> checks) {
        return checks.stream().map(ProviderCheck::name).toList();
    }

    @Test
    void preflightShowsEveryCheckInOrder() {
        Snapshots s = ready();
        s.liveChecks.add(new ProviderCheck("credentials_valid", true, "authenticated"));
        s.liveChecks.add(new ProviderCheck("scope_reachable", true, "ad account act_1"));
        List<ReadinessChecks.Check> checks = ReadinessChecks.of(s.build());
        assertThat(checks).extracting(c -> c.check().name()).containsExactly("adapter_available", "connection_active",
                "credentials_valid", "scope_reachable", "advertiser_verified", "terms_accepted",
                "spend_authorization_active", "wallet_funded");
        assertThat(checks).extracting(ReadinessChecks.Check::gate).containsExactly(Gate.EVERY_REQUEST,
                Gate.EVERY_REQUEST, Gate.EVERY_REQUEST, Gate.EVERY_REQUEST, Gate.MUTATING, Gate.MUTATING,
                Gate.SPENDING, Gate.RAISING_SPEND);
        assertThat(ReadinessChecks.all(s.build())).allMatch(ProviderCheck::ok);
        assertThat(ReadinessChecks.all(s.build())).containsExactly(
                new ProviderCheck("adapter_available", true, "adapter sandbox (not the real provider)"),
                new ProviderCheck("connection_active", true, "connection con_1 is active"),
                new ProviderCheck("credentials_valid", true, "authenticated"),
                new ProviderCheck("scope_reachable", true, "ad account act_1"),
                new ProviderCheck("advertiser_verified", true, "verification verified"),
                new ProviderCheck("terms_accepted", true, "terms 2026-10"),
                new ProviderCheck("spend_authorization_active", true, "an authorization is active"),
                new ProviderCheck("wallet_funded", true, "available 80000 USD minor units"));
        for (ExecuteCommand c : EVERY) {
            assertThat(ReadinessChecks.failing(s.build(), c)).as(c.action()).isEmpty();
        }
    }

    @Test
    void aRealAdapterIsNamedPlainly() {
        Snapshots s = ready();
        s.adapter = new TenantSnapshot.Adapter("openaiads", true);
        assertThat(ReadinessChecks.all(s.build()).getFirst())
                .isEqualTo(new ProviderCheck("adapter_available", true, "adapter openaiads"));
    }

    @Test
    void everythingMissingFailsWithItsDetail() {
        Snapshots s = ready();
        s.adapter = null;
        s.connection = null;
        s.advertiser = null;
        s.anyAuthorizationActive = false;
        s.wallet = null;
        assertThat(ReadinessChecks.all(s.build())).containsExactly(
                new ProviderCheck("adapter_available", false, "no adapter serves openaiads"),
                new ProviderCheck("connection_active", false, "no connection to openaiads"),
                new ProviderCheck("advertiser_verified", false, "no advertiser profile"),
                new ProviderCheck("terms_accepted", false, "terms not accepted"),
                new ProviderCheck("spend_authorization_active", false, "no active spend authorization for openaiads"),
                new ProviderCheck("wallet_funded", false, "no wallet"));
    }

    @Test
    void liveChecksRunOnlyWithAnAdapterAndAConnection() {
        ProviderCheck live = new ProviderCheck("credentials_valid", false, "the provider refused the credentials");
        Snapshots noAdapter = ready();
        noAdapter.adapter = null;
        noAdapter.liveChecks.add(live);
        assertThat(names(ReadinessChecks.all(noAdapter.build()))).doesNotContain("credentials_valid");
        Snapshots noConnection = ready();
        noConnection.connection = null;
        noConnection.liveChecks.add(live);
        assertThat(names(ReadinessChecks.all(noConnection.build()))).doesNotContain("credentials_valid");
        Snapshots both = ready();
        both.liveChecks.add(live);
        assertThat(ReadinessChecks.all(both.build())).contains(live);
        // a failing live check gates every request, reads included
        for (ExecuteCommand c : EVERY) {
            assertThat(ReadinessChecks.failing(both.build(), c)).as(c.action()).containsExactly(live);
        }
    }

    @Test
    void aLiveCheckOfTheAdapterIsNotShownTwice() {
        Snapshots s = ready();
        s.liveChecks.add(new ProviderCheck("adapter_available", false, "duplicate"));
        assertThat(names(ReadinessChecks.all(s.build()))).containsOnlyOnce("adapter_available");
        assertThat(ReadinessChecks.all(s.build()).getFirst().ok()).isTrue();
    }

    @Test
    void anInactiveConnectionGatesEveryRequest() {
        Snapshots s = ready();
        s.connection = new TenantSnapshot.Connection("con_1", "suspended");
        for (ExecuteCommand c : EVERY) {
            assertThat(ReadinessChecks.failing(s.build(), c)).as(c.action())
                    .containsExactly(new ProviderCheck("connection_active", false, "connection con_1 is suspended"));
        }
        Snapshots noAdapter = ready();
        noAdapter.adapter = null;
        for (ExecuteCommand c : EVERY) {
            assertThat(names(ReadinessChecks.failing(noAdapter.build(), c))).containsExactly("adapter_available");
        }
    }

    @Test
    void advertiserAndTermsGateMutatingRequestsOnly() {
        Snapshots s = ready();
        s.advertiser = new TenantSnapshot.Advertiser(false, "pending", false, null);
        for (ExecuteCommand c : EVERY) {
            assertThat(names(ReadinessChecks.failing(s.build(), c))).as(c.action())
                    .isEqualTo(c == REPORT ? List.of() : List.of("advertiser_verified", "terms_accepted"));
        }
        assertThat(ReadinessChecks.failing(s.build(), PAUSE)).containsExactly(
                new ProviderCheck("advertiser_verified", false, "verification pending"),
                new ProviderCheck("terms_accepted", false, "terms not accepted"));
    }

    @Test
    void theAuthorizationGatesSpendingRequestsButNeverAPause() {
        Snapshots s = ready();
        s.anyAuthorizationActive = false;
        Map<ExecuteCommand, Boolean> gated = Map.of(CREATE, true, UPDATE, true, GROUP, true, CREATIVE, true, AD, true,
                PAUSE, false, REPORT, false);
        gated.forEach((c, g) -> assertThat(names(ReadinessChecks.failing(s.build(), c))).as(c.action())
                .isEqualTo(g ? List.of("spend_authorization_active") : List.of()));
    }

    @Test
    void anEmptyWalletGatesOnlyRequestsThatRaiseSpend() {
        Snapshots empty = ready();
        empty.wallet = new TenantSnapshot.Wallet("USD", 0);
        Snapshots none = ready();
        none.wallet = null;
        for (Snapshots s : List.of(empty, none)) {
            for (ExecuteCommand c : EVERY) {
                assertThat(names(ReadinessChecks.failing(s.build(), c))).as(c.action())
                        .isEqualTo(c.raisesSpend() ? List.of("wallet_funded") : List.of());
            }
        }
        assertThat(ReadinessChecks.failing(empty.build(), CREATE))
                .containsExactly(new ProviderCheck("wallet_funded", false, "available 0 USD minor units"));
        assertThat(List.of(CREATE, UPDATE)).allMatch(ExecuteCommand::raisesSpend);
    }

    @Test
    void gatesSelectTheRequestsTheyName() {
        for (ExecuteCommand c : EVERY) {
            assertThat(Gate.EVERY_REQUEST.gates(c)).isTrue();
            assertThat(Gate.MUTATING.gates(c)).as(c.action()).isEqualTo(c != REPORT);
            assertThat(Gate.SPENDING.gates(c)).as(c.action()).isEqualTo(c != REPORT && c != PAUSE);
            assertThat(Gate.RAISING_SPEND.gates(c)).as(c.action()).isEqualTo(c == CREATE || c == UPDATE);
        }
    }

    @Test
    void failingKeepsPreflightOrder() {
        Snapshots s = ready();
        s.connection = null;
        s.advertiser = new TenantSnapshot.Advertiser(true, "verified", false, null);
        s.anyAuthorizationActive = false;
        s.wallet = new TenantSnapshot.Wallet("USD", 0);
        assertThat(names(ReadinessChecks.failing(s.build(), CREATE))).containsExactly("connection_active",
                "terms_accepted", "spend_authorization_active", "wallet_funded");
        assertThat(names(ReadinessChecks.failing(s.build(), PAUSE))).containsExactly("connection_active",
                "terms_accepted");
        assertThat(names(ReadinessChecks.failing(s.build(), REPORT))).containsExactly("connection_active");
    }
}
