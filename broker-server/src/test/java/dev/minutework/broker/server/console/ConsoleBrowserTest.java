package dev.minutework.broker.server.console;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.identity.ApiKeys;
import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Story;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;
import tools.jackson.databind.JsonNode;

/**
 * The README's approval story in a real browser: an agent asks for a campaign through the API, the
 * approver signs in to the console, sees the request with its spend impact, the exact payload and
 * who asked, approves, and sees the execution succeed, the campaign, the money reserved on the
 * wallet and the authorization, and the receipts' chain valid. A viewer sees no approve button and
 * a forged approval is refused as the API refuses it; a post without the session's CSRF token, or
 * from another origin, is refused. Where the tenant requires a passkey, the approver registers one
 * and approves with it through Chrome's virtual authenticator. Screenshots of each page go to
 * target/console-screenshots.
 */
class ConsoleBrowserTest extends BrokerTestCase {

    private static ConsoleBrowser browser;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void openBrowser() {
        // WebAuthn needs a secure context: the browser addresses the broker as localhost, not 127.0.0.1
        browser = new ConsoleBrowser("http://localhost:" + broker.port());
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void theApproverSeesTheAgentsRequestWithItsImpactAndPayloadApprovesItAndSeesCampaignMoneyAndAValidChain() {
        Story.Tenant t = story.tenant("Acme Shoes", Story.Setup.ready());
        String agentKey = story.agent(t.id(), "launch assistant", List.of("mw.connector.ads"), "mutating")
                .text("/api_key");
        Http.Response asked = expect(202, story.execute(agentKey, "ads.create_campaign", "launch-1",
                Story.campaign("Winter boots", 50_000)));
        String approvalId = asked.text("/approval_id");
        String executionId = asked.text("/execution_id");
        String digest = expect(200, http.get("/v1/approvals/" + approvalId, t.approverKey())).text("/payload_digest");
        String payload = jdbc.sql("select payload from executions where id = :id").param("id", executionId)
                .query(String.class).single();
        // an action the connector lacks: recorded as a capability gap
        expect(404, story.execute(agentKey, "ads.clone_campaign", "gap-1", Map.of("campaign_id", "cmp_x")));

        browser.driver.manage().deleteAllCookies();
        browser.open("/console");
        assertThat(browser.driver.getCurrentUrl()).as("signed out: the console sends you to sign in")
                .endsWith("/console/sign-in");
        browser.screenshot("sign-in");
        browser.signIn(t.approverKey());

        assertThat(browser.driver.getCurrentUrl()).endsWith("/console/inbox");
        String card = "#approval-" + approvalId;
        assertThat(browser.find(card + " .impact .amount").getText()).isEqualTo("500.00 USD");
        assertThat(browser.find(card + " .asked-by").getText()).contains("agent launch assistant");
        assertThat(browser.find(card + " .digest").getText()).isEqualTo(digest);
        assertThat(browser.find(card + " pre.payload").getText()).isEqualTo(payload);
        assertThat(browser.find(card + " button.approve").isEnabled()).isTrue();
        assertThat(browser.driver.executeScript("return typeof htmx === 'object' && htmx.version"))
                .as("htmx, served by the broker from its WebJar, runs the approve form").isEqualTo("2.0.4");
        browser.screenshot("inbox");

        browser.find(card + " button.approve").click();
        assertThat(browser.await("#outcome").getText()).contains("Approved").contains("succeeded");
        assertThat(browser.find("#status").getText()).isEqualTo("succeeded");
        assertThat(browser.find("#result").getText()).contains("object_id");
        browser.screenshot("execution");
        assertThat(expect(200, http.get("/v1/executions/" + executionId, t.viewerKey())).text("/status"))
                .as("the API agrees").isEqualTo("succeeded");
        assertThat(expect(200, http.get("/v1/approvals/" + approvalId, t.viewerKey())).text("/decided_by_key_id"))
                .as("decided by the signed-in approver's key").startsWith("key_");

        browser.find("#nav-executions").click();
        assertThat(browser.await("#executions").getText()).contains(executionId).contains("succeeded");
        browser.screenshot("executions");

        browser.find("#nav-campaigns").click();
        String campaigns = browser.await("#campaigns").getText();
        assertThat(campaigns).contains("Winter boots").contains("500.00 USD lifetime").contains("active");
        assertThat(browser.find("#campaigns td.reserved").getText()).isEqualTo("500.00 USD");
        browser.screenshot("campaigns");

        browser.find("#nav-wallet").click();
        assertThat(browser.await("#wallet-balance").getText()).isEqualTo("800.00 USD");
        assertThat(browser.find("#wallet-reserved").getText()).isEqualTo("500.00 USD");
        assertThat(browser.find("#wallet-available").getText()).isEqualTo("300.00 USD");
        assertThat(browser.find(".authorization .cap-used").getText()).as("500 of the 1,000.00 cap").isEqualTo("50%");
        browser.screenshot("wallet");

        browser.find("#nav-receipts").click();
        assertThat(browser.await("#chain").getText()).startsWith("Chain valid");
        assertThat(browser.find("#receipts").getText()).contains("approval.requested").contains("approval.approved");
        browser.screenshot("receipts");

        browser.find("#nav-gaps").click();
        assertThat(browser.await("#gaps").getText()).contains("ads.clone_campaign");
        browser.screenshot("gaps");

        browser.find("#nav-inbox").click();
        assertThat(browser.await("#inbox-empty").getText()).contains("Nothing is waiting");
        assertThat(browser.present(card)).as("decided: no longer in the inbox").isFalse();

        // invariant 6: no page shows a key or a provider credential, not even the signed-in one
        assertThat(browser.pagesSeen).isNotEmpty().allSatisfy(html -> assertThat(html)
                .doesNotContain(t.approverKey()).doesNotContain(agentKey).doesNotContain(t.runtimeKey())
                .doesNotContain("sk-test-"));
    }

    @Test
    void aViewerSeesTheRequestWithoutAnApproveButtonAndAForgedApprovalIsRefusedAsTheApiRefusesIt() throws Exception {
        Story.Tenant t = story.tenant("Viewer Co", Story.Setup.ready());
        String approvalId = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "v-1",
                Story.campaign("Spring sale", 20_000))).text("/approval_id");

        browser.signIn(t.viewerKey());
        assertThat(browser.find("#who").getText()).startsWith("viewer");
        String card = "#approval-" + approvalId;
        assertThat(browser.find(card + " .impact .amount").getText()).isEqualTo("200.00 USD");
        assertThat(browser.present(card + " button.approve")).as("a viewer has no approve button").isFalse();
        assertThat(browser.present(card + " button.deny")).isFalse();
        assertThat(browser.find("#read-only").getText()).contains("cannot approve");
        browser.screenshot("inbox-viewer");

        HttpResponse<String> forged = post("/console/approvals/" + approvalId + "/approve", browser.cookie(),
                browser.csrfToken(), browser.base);
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("forbidden_role").doesNotContain("Exception").doesNotContain("at dev.");
        assertThat(expect(200, http.get("/v1/approvals/" + approvalId, t.approverKey())).text("/status"))
                .as("still pending").isEqualTo("pending");

        browser.open("/console/tenants");
        assertThat(browser.find("#error-code").getText()).as("the operator's page, for a tenant key")
                .isEqualTo("forbidden_role");
        browser.screenshot("error");
    }

    @Test
    void aPostWithoutTheSessionsCsrfTokenOrFromAnotherOriginIsRefusedAndSigningOutEndsTheSession() throws Exception {
        Story.Tenant t = story.tenant("Csrf Co", Story.Setup.ready());
        String approvalId = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "c-1",
                Story.campaign("Autumn", 10_000))).text("/approval_id");
        browser.signIn(t.approverKey());
        String cookie = browser.cookie();
        String csrf = browser.csrfToken();

        Cookie sent = browser.driver.manage().getCookieNamed(ConsoleAccess.COOKIE);
        assertThat(sent.isHttpOnly()).isTrue();
        assertThat(sent.getSameSite()).isEqualTo("Strict");
        assertThat(sent.getPath()).isEqualTo("/console");
        assertThat(jdbc.sql("select count(*) from console_sessions where token_hash = :h")
                .param("h", ApiKeys.hash(cookie)).query(Long.class).single()).as("only the token's hash is kept").isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from console_sessions where token_hash = :k or csrf_token = :k")
                .param("k", cookie).query(Long.class).single()).isZero();

        HttpResponse<String> noToken = post("/console/approvals/" + approvalId + "/approve", cookie, null, browser.base);
        assertThat(noToken.statusCode()).isEqualTo(403);
        assertThat(noToken.body()).contains("csrf_token_invalid");
        HttpResponse<String> wrongToken = post("/console/approvals/" + approvalId + "/approve", cookie,
                csrf + "x", browser.base);
        assertThat(wrongToken.statusCode()).isEqualTo(403);
        HttpResponse<String> elsewhere = post("/console/approvals/" + approvalId + "/approve", cookie, csrf,
                "https://attacker.example");
        assertThat(elsewhere.statusCode()).isEqualTo(403);
        assertThat(elsewhere.body()).contains("cross_origin_refused");
        assertThat(expect(200, http.get("/v1/approvals/" + approvalId, t.approverKey())).text("/status"))
                .isEqualTo("pending");

        browser.find("header .who button").click();
        browser.await("#api_key");
        HttpResponse<String> afterSignOut = post("/console/approvals/" + approvalId + "/approve", cookie, csrf,
                browser.base);
        assertThat(afterSignOut.statusCode()).as("the session ended with sign-out").isEqualTo(401);
        assertThat(expect(200, http.get("/v1/approvals/" + approvalId, t.approverKey())).text("/status"))
                .isEqualTo("pending");
    }

    @Test
    void aRefusedApprovalShowsItsErrorCodeInTheInboxAndADenialShowsTheDeniedExecution() {
        Story.Tenant t = story.tenant("Stopped Co", Story.Setup.ready());
        String first = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "k-1",
                Story.campaign("Held back", 10_000))).text("/approval_id");
        String second = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "k-2",
                Story.campaign("Not wanted", 5_000))).text("/execution_id");
        String secondApproval = expect(200, http.get("/v1/executions/" + second, t.viewerKey())).text("/approval_id");
        expect(201, http.post("/v1/kill-switch", t.approverKey(), Map.of("reason", "agent ran away")));

        browser.signIn(t.approverKey());
        browser.find("#approval-" + first + " button.approve").click();
        String refusal = browser.await("#refusal").getText();
        assertThat(refusal).contains("kill_switch_engaged").contains("stays pending");
        assertThat(browser.present("#approval-" + first)).as("still in the inbox").isTrue();
        browser.screenshot("inbox-refused");
        assertThat(expect(200, http.get("/v1/approvals/" + first, t.viewerKey())).text("/status")).isEqualTo("pending");

        browser.find("#approval-" + secondApproval + " input[name=reason]").sendKeys("not this season");
        browser.find("#approval-" + secondApproval + " button.deny").click();
        assertThat(browser.await("#outcome").getText()).contains("Denied").contains("denied");
        assertThat(browser.find("#execution-error").getText()).contains("approval_denied").contains("not this season");
        assertThat(expect(200, http.get("/v1/executions/" + second, t.viewerKey())).text("/status")).isEqualTo("denied");
    }

    @Test
    void anApproverRegistersAPasskeyAndApprovesWithItWhereTheTenantRequiresOne() throws Exception {
        Story.Tenant t = story.tenant("Passkey Co", Story.Setup.ready());
        expect(200, http.put("/v1/tenants/" + t.id() + "/approval-policy", Story.OP,
                Map.of("passkey_required_above_minor", 10_000)));
        String approvalId = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "p-1",
                Story.campaign("Big launch", 40_000))).text("/approval_id");
        String card = "#approval-" + approvalId;
        VirtualAuthenticator authenticator = browser.driver.addVirtualAuthenticator(new VirtualAuthenticatorOptions()
                .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
                .setTransport(VirtualAuthenticatorOptions.Transport.INTERNAL)
                .setHasResidentKey(true).setHasUserVerification(true).setIsUserVerified(true));
        try {
            browser.signIn(t.approverKey());
            browser.open("/console/passkeys");
            browser.find("#register-passkey").click();
            String registered = browser.awaitText("#passkey-status", "Passkey registered");
            String passkeyId = registered.substring(registered.indexOf("pk_")).strip();
            assertThat(authenticator.getCredentials()).as("the virtual authenticator holds the new passkey").hasSize(1);
            browser.open("/console/passkeys");
            assertThat(browser.find("#passkeys").getText()).contains(passkeyId).contains("active");
            browser.screenshot("passkeys");

            browser.open("/console/inbox");
            assertThat(browser.find(card + " .passkey-required").getText()).contains("requires a passkey");
            assertThat(browser.present(card + " button.approve")).as("no plain approve where a passkey is required")
                    .isFalse();
            HttpResponse<String> plain = post("/console/approvals/" + approvalId + "/approve", browser.cookie(),
                    browser.csrfToken(), browser.base);
            assertThat(plain.statusCode()).as("the service refuses it as the API does").isEqualTo(403);
            assertThat(plain.body()).contains("passkey_required");
            assertThat(expect(200, http.get("/v1/approvals/" + approvalId, t.viewerKey())).text("/status"))
                    .isEqualTo("pending");

            browser.await(card + " button.passkey-approve").click();
            assertThat(browser.await("#outcome").getText()).contains("Approved").contains("succeeded");
            browser.screenshot("execution-passkey");
            assertThat(story.receiptPayloads(t, "approval.approved")).singleElement()
                    .satisfies(p -> assertThat(p.at("/passkey/passkey_id").asString()).isEqualTo(passkeyId));
        } finally {
            browser.driver.removeVirtualAuthenticator(authenticator);
        }
    }

    @Test
    void aRevokedKeyEndsItsSessionAndAnAgentKeyCannotSignIn() {
        Story.Tenant t = story.tenant("Revoked Co", Story.Setup.ready());
        Http.Response issued = story.issueKey(t.id(), "viewer");
        browser.signIn(issued.text("/api_key"));
        browser.open("/console/wallet");
        assertThat(browser.find("#wallet-balance").getText()).isEqualTo("800.00 USD");

        jdbc.sql("update api_keys set revoked_at = now() where id = :id").param("id", issued.text("/key_id")).update();
        browser.open("/console/wallet");
        assertThat(browser.driver.getCurrentUrl()).as("the revoked key's session ended").endsWith("/console/sign-in");

        String agentKey = story.agent(t.id(), "reporter", List.of("mw.connector.ads"), "read_only").text("/api_key");
        browser.open("/console/sign-in");
        browser.find("#api_key").sendKeys(agentKey);
        browser.find("#sign-in").click();
        assertThat(browser.await("#error").getText()).contains("forbidden_role");
    }

    @Test
    void theOperatorSeesEveryTenantWithItsWalletAndPendingApprovalsButCannotOpenAnInbox() {
        Story.Tenant t = story.tenant("Operator View Co", Story.Setup.ready());
        expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "o-1", Story.campaign("Summer", 30_000)));

        browser.signIn(Story.OP);
        assertThat(browser.driver.getCurrentUrl()).endsWith("/console/tenants");
        String row = browser.find("#tenants").getText();
        assertThat(row).contains("Operator View Co").contains(t.id()).contains("800.00 USD");
        browser.screenshot("tenants");

        browser.open("/console/inbox");
        assertThat(browser.find("#error-code").getText()).isEqualTo("forbidden_role");
    }

    @Test
    void anApproverEngagesTheKillSwitchInTheConsoleTheCampaignIsPausedAtTheProviderAndOnlyAnApproverReleasesIt()
            throws Exception {
        Story.Tenant t = story.tenant("Runaway Co", Story.Setup.ready());
        JsonNode running = story.createApproved(t, "ks-1", Story.campaign("Runaway", 20_000));
        String campaignId = running.at("/result/object_id").asString();
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(20_000);

        browser.signIn(t.viewerKey());
        browser.open("/console/kill-switch");
        assertThat(browser.find("#kill-switch-status").getText()).isEqualTo("off");
        assertThat(browser.present("#engage")).as("a viewer has no engage button").isFalse();
        assertThat(browser.find("#read-only").getText()).contains("only an approver");
        HttpResponse<String> byViewer = post("/console/kill-switch/engage", browser.cookie(), browser.csrfToken(),
                browser.base);
        assertThat(byViewer.statusCode()).as("refused as the API refuses a viewer").isEqualTo(403);
        assertThat(byViewer.body()).contains("forbidden_role");

        browser.signIn(t.approverKey());
        browser.open("/console/kill-switch");
        HttpResponse<String> noReason = post("/console/kill-switch/engage", browser.cookie(), browser.csrfToken(),
                browser.base);
        assertThat(noReason.statusCode()).as("engaging needs a reason, as through the API").isEqualTo(400);
        assertThat(noReason.body()).contains("invalid_input").doesNotContain("Exception");
        assertThat(expect(200, http.get("/v1/kill-switch", t.viewerKey())).at("/engaged").asBoolean()).isFalse();

        browser.find("#engage-form input[name=reason]").sendKeys("the agent is spending far too fast");
        browser.find("#engage").click();
        assertThat(browser.awaitText("#done", "Kill switch engaged")).contains("being paused");
        assertThat(browser.find("#kill-switch-status").getText()).isEqualTo("engaged");
        assertThat(browser.find("#kill-switches").getText()).contains("the agent is spending far too fast")
                .contains("this tenant");
        awaitTrue("the broker pauses the campaign through the provider",
                () -> http.get("/v1/kill-switch", t.viewerKey()).at("/campaigns/pending_pause").isEmpty());
        browser.open("/console/kill-switch");
        assertThat(browser.find("#paused").getText()).contains(campaignId);
        assertThat(browser.find("#pending-pause").getText()).isEqualTo("none");
        browser.screenshot("kill-switch");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).as("the pause released the reservation").isZero();
        Http.Response refused = expect(409, story.execute(t.runtimeKey(), "ads.create_campaign", "ks-2",
                Story.campaign("After the stop", 1_000)));
        assertThat(refused.errorCode()).isEqualTo("kill_switch_engaged");
        browser.open("/console/inbox");
        assertThat(browser.find("#kill-switch-engaged").getText()).contains("kill switch is engaged");

        browser.open("/console/kill-switch");
        browser.find("#release-form input[name=reason]").sendKeys("agent fixed");
        browser.find("#release").click();
        assertThat(browser.awaitText("#done", "Kill switch released")).contains("resumes", "stay paused");
        assertThat(browser.find("#kill-switch-status").getText()).isEqualTo("off");
        JsonNode released = story.receipts(t, "kill_switch.released").getFirst();
        assertThat(released.get("actor").asString()).as("released by the signed-in approver's key").startsWith("key_");
        assertThat(story.receiptKinds(t)).containsOnlyOnce("kill_switch.engaged").containsOnlyOnce("kill_switch.released");
        expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "ks-3", Story.campaign("After release", 1_000)));
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
    }

    @Test
    void theOperatorEngagesATenantsKillSwitchFromTheTenantsPageButCannotReleaseIt() throws Exception {
        Story.Tenant t = story.tenant("Operator Stop Co", Story.Setup.ready());
        browser.signIn(Story.OP);
        String row = "//tr[.//code[text()='" + t.id() + "']]";
        browser.driver.findElement(org.openqa.selenium.By.xpath(row + "//input[@name='reason']"))
                .sendKeys("fraud report from the provider");
        browser.driver.findElement(org.openqa.selenium.By.xpath(row + "//button[contains(@class,'engage')]")).click();
        assertThat(browser.awaitText("#kill-switch-" + t.id(), "engaged")).isEqualTo("engaged");
        JsonNode state = expect(200, http.get("/v1/kill-switch", t.viewerKey())).json();
        assertThat(state.at("/engaged").asBoolean()).isTrue();
        assertThat(state.at("/kill_switches/0/engaged_by").asString()).isEqualTo("operator");
        assertThat(state.at("/kill_switches/0/reason").asString()).isEqualTo("fraud report from the provider");
        HttpResponse<String> lift = post("/console/kill-switch/release", browser.cookie(), browser.csrfToken(),
                browser.base);
        assertThat(lift.statusCode()).as("a tenant's own stop is its approvers' to lift").isEqualTo(403);
        assertThat(expect(200, http.get("/v1/kill-switch", t.viewerKey())).at("/engaged").asBoolean()).isTrue();
    }

    @Test
    void theInboxShowsTheStandingGrantsInForceAndAnApproverRevokesOne() throws Exception {
        Story.Tenant t = story.tenant("Standing Co", Story.Setup.ready());
        String expires = java.time.Instant.now().plus(java.time.Duration.ofDays(7)).toString();
        String grantId = expect(201, story.standingGrant(t, List.of("ads.create_campaign"), 30_000, expires, null))
                .text("/approval_id");
        assertThat(expect(200, story.execute(t.runtimeKey(), "ads.create_campaign", "sg-1",
                Story.campaign("Under the grant", 12_000))).text("/status")).isEqualTo("succeeded");

        browser.signIn(t.viewerKey());
        String row = "#standing-" + grantId;
        assertThat(browser.find(row).getText()).contains("ads.create_campaign").contains("openaiads")
                .contains("120.00 USD of 300.00 USD").contains("any key");
        assertThat(browser.present(row + " button.revoke")).as("a viewer has no revoke button").isFalse();
        HttpResponse<String> byViewer = post("/console/standing-grants/" + grantId + "/revoke", browser.cookie(),
                browser.csrfToken(), browser.base);
        assertThat(byViewer.statusCode()).isEqualTo(403);
        assertThat(byViewer.body()).contains("forbidden_role");

        browser.signIn(t.approverKey());
        assertThat(browser.find(row).getText()).contains("approver key");
        browser.screenshot("inbox-standing-grants");
        browser.find(row + " button.revoke").click();
        assertThat(browser.awaitText("#revoked", "revoked")).contains(grantId);
        assertThat(browser.present(row)).as("no longer in force").isFalse();
        assertThat(browser.find("#standing-empty").getText()).contains("No standing grant");
        assertThat(story.receiptKinds(t)).containsOnlyOnce("approval.standing_grant_revoked");
        assertThat(expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "sg-2",
                Story.campaign("After the revocation", 1_000))).text("/status"))
                .as("the next request waits for a human again").isEqualTo("awaiting_approval");
        HttpResponse<String> again = post("/console/standing-grants/" + grantId + "/revoke", browser.cookie(),
                browser.csrfToken(), browser.base);
        assertThat(again.statusCode()).as("revoked already, as the API answers").isEqualTo(409);
    }

    @Test
    void anApproverIssuesAStandingGrantFromTheInboxAndItsRefusalsShowTheirFields() {
        Story.Tenant t = story.tenant("Issuing Co", Story.Setup.ready());
        String runtimeKeyId = expect(200, http.get("/v1/runtime/identity", t.runtimeKey())).text("/key_id");
        browser.signIn(t.approverKey());
        browser.find("#issue-standing summary").click();
        browser.find("#issue-form input[name=ceiling]").sendKeys("250.5x");
        browser.find("#issue").click();
        assertThat(browser.awaitText("#grant-refusal", "Not issued")).contains("invalid_input").contains("spend ceiling");

        browser.find("#issue-form input[name=ceiling]").clear();
        browser.find("#issue-form input[name=ceiling]").sendKeys("250.00");
        browser.find("#issue").click(); // no action chosen
        String refusal = browser.awaitText("#grant-refusal", "$.actions");
        assertThat(refusal).contains("invalid_input");
        assertThat(browser.find("#issue-form input[name=ceiling]").getDomProperty("value"))
                .as("the form comes back as typed").isEqualTo("250.00");
        browser.screenshot("inbox-standing-refused");
        assertThat(expect(200, http.get("/v1/approvals?status=approved", t.viewerKey())).at("/approvals").isEmpty())
                .as("nothing issued").isTrue();

        browser.find("#issue-form input[value='ads.create_campaign']").click();
        new org.openqa.selenium.support.ui.Select(browser.find("#issue-form select[name=provider]")).selectByValue("openaiads");
        new org.openqa.selenium.support.ui.Select(browser.find("#issue-form select[name=limited_to_key_id]"))
                .selectByValue(runtimeKeyId);
        browser.find("#issue").click();
        String issued = browser.awaitText("#issued", "issued");
        String grantId = issued.substring(issued.indexOf("sgr_")).split(" ")[0];
        assertThat(browser.find("#standing-" + grantId).getText()).contains("ads.create_campaign")
                .contains("0.00 USD of 250.00 USD").contains(runtimeKeyId);
        browser.screenshot("inbox-standing-issued");
        assertThat(story.receiptKinds(t)).containsOnlyOnce("approval.standing_grant_issued");
        assertThat(expect(200, story.execute(t.runtimeKey(), "ads.create_campaign", "issued-1",
                Story.campaign("Runs under the grant", 10_000))).text("/status"))
                .as("the runtime key's request runs at once under the grant").isEqualTo("succeeded");
    }

    private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** A console post as a script (or another site) would send it, with the session's cookie. */
    private static HttpResponse<String> post(String path, String cookie, String csrf, String origin)
            throws IOException, InterruptedException {
        String form = csrf == null ? "" : "_csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(browser.base + path))
                .header("Cookie", ConsoleAccess.COOKIE + "=" + cookie).header("Origin", origin)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
