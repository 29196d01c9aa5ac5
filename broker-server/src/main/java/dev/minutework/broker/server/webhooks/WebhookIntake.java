package dev.minutework.broker.server.webhooks;

import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderChange;
import dev.minutework.broker.server.ads.CampaignActivatedAtProvider;
import dev.minutework.broker.server.ads.Projections;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.ops.BrokerMetrics;
import dev.minutework.broker.server.receipts.Receipts;
import dev.minutework.broker.server.spend.SpendLedger;
import dev.minutework.broker.server.routing.AccountContexts;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.nio.ByteBuffer;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Takes one webhook delivery: finds the provider account it is addressed to, verifies the
 * provider's signature over the raw bytes, stores the delivery (always, with its verdict), and
 * applies what a valid, new event clearly says.
 *
 * <p>Attribution: the webhook chain is the provider account's (see {@link WebhookEvents}); an
 * effect lands in every tenant whose projection holds the object the event names through a
 * connection to that account, with a receipt in that tenant's chain naming the event.
 *
 * <p>Deduplication: a provider event id already stored has no second effect and records nothing
 * new (the table's unique key would refuse it anyway); the answer is 200, so the provider stops
 * retrying. Meta's deliveries carry no event id: the SHA-256 of the raw body stands for one (a
 * redelivery repeats the bytes). Unverified deliveries store no event id, so a forger cannot
 * take a real event's id first.
 *
 * <p>Each delivery and polled change is counted ({@link BrokerMetrics#webhookDelivery}) by provider,
 * signature verdict and what became of it.
 */
@Service
public class WebhookIntake {

    /** Larger bodies are refused unread (Meta batches at most a few changes a delivery). */
    public static final int MAX_BODY_BYTES = 256 * 1024;

    /** Providers with documented webhooks; the other known providers have none. */
    static final Set<String> WITH_WEBHOOKS = Set.of("metaads", "tiktokads");
    static final Set<String> WITHOUT_WEBHOOKS = Set.of("openaiads", "googleads");

    private final AccountContexts accounts;
    private final WebhookEvents events;
    private final Projections projections;
    private final Receipts receipts;
    private final SpendLedger ledger;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final ApplicationEventPublisher publisher;
    private final BrokerMetrics metrics;

    WebhookIntake(AccountContexts accounts, WebhookEvents events, Projections projections, Receipts receipts,
            SpendLedger ledger, TransactionTemplate tx, Clock clock, ApplicationEventPublisher publisher,
            BrokerMetrics metrics) {
        this.publisher = publisher;
        this.accounts = accounts;
        this.events = events;
        this.projections = projections;
        this.receipts = receipts;
        this.ledger = ledger;
        this.tx = tx;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** What became of a delivery that was not rejected. */
    public enum Outcome {
        ACCEPTED, DUPLICATE;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Takes a delivery. Headers are looked up by {@code header} (case-insensitive).
     *
     * @throws ApiException {@code unauthenticated} ("rejected", after storing the delivery) for a
     *     missing, bad or stale signature; {@code not_found} for an unknown account;
     *     {@code capability_gap} for a provider without webhooks
     */
    public Outcome receive(String provider, String accountId, byte[] raw, Function<String, String> header) {
        ProviderAccountContext account = account(provider, accountId);
        String rawDigest = sha256(raw);
        Signatures.Check check = switch (provider) {
            case "metaads" -> Signatures.meta(header.apply("X-Hub-Signature-256"), raw,
                    account.credentials().get("app_secret"));
            default -> Signatures.tiktok(header.apply("TikTok-Signature"), raw,
                    account.credentials().get("webhook_secret"), clock.instant());
        };
        OffsetDateTime at = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        if (check.verdict() != Signatures.Verdict.VALID) {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("provider", provider);
            payload.put("provider_account_id", accountId);
            payload.put("signature_verdict", check.verdict().wire());
            payload.put("reason", check.reason());
            payload.put("raw_body_digest", rawDigest);
            payload.put("body_bytes", (long) raw.length);
            payload.put("received_at", at.toString());
            tx.executeWithoutResult(s -> {
                events.lock(accountId);
                events.append(accountId, "rejected_delivery", provider, null, check.verdict().wire(), rawDigest,
                        payload, at);
            });
            metrics.webhookDelivery(provider, check.verdict().wire(), "rejected");
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "rejected");
        }
        Map<String, Object> body = parse(raw);
        Event event = switch (provider) {
            case "metaads" -> ProviderEvents.meta(body, rawDigest, account.scope().get("ad_account_id"));
            default -> ProviderEvents.tiktok(body, rawDigest, account.scope().get("advertiser_id"));
        };
        Outcome outcome = store(provider, accountId, event, check.verdict().wire(), rawDigest,
                body == null ? Map.of("unreadable", true) : body, at);
        metrics.webhookDelivery(provider, check.verdict().wire(), outcome.wire());
        return outcome;
    }

    /** Verdict of a change the broker asked the provider for (see {@link ProviderPolls}): not signed, polled. */
    static final String POLLED = "polled";

    /**
     * Takes one change found by polling a provider without webhooks, the way a verified delivery
     * is taken: stored in the account's chain with verdict {@value #POLLED}, deduplicated by its
     * change id, and applied with a receipt in each affected tenant's chain.
     */
    Outcome polled(String provider, String accountId, ProviderChange change) {
        String type = change.kind() == ProviderChange.Kind.CAMPAIGN_STATUS ? ProviderEvents.CAMPAIGN_STATUS
                : ProviderEvents.AD_REVIEW;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("change_id", change.changeId());
        body.put("object_type", type);
        body.put("provider_object_id", change.providerObjectId());
        body.put("value", change.value());
        body.put("changed_at", change.changedAt().toString());
        String digest = sha256(CanonicalJson.canonicalize(body).getBytes(StandardCharsets.UTF_8));
        Event event = new Event(change.changeId(), provider + ".polled." + type,
                List.of(new Change(type, change.providerObjectId(), change.value(), change.changedAt())));
        Outcome outcome = store(provider, accountId, event, POLLED, digest, body,
                OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC));
        metrics.webhookDelivery(provider, POLLED, outcome.wire());
        return outcome;
    }

    /** Stores a verified (or polled) event once and applies it; a stored event id is a duplicate. */
    private Outcome store(String provider, String accountId, Event event, String verdict, String rawDigest,
            Map<String, Object> body, OffsetDateTime at) {
        List<CampaignActivatedAtProvider> activated = new ArrayList<>();
        Outcome outcome = tx.execute(s -> {
            events.lock(accountId);
            if (events.seen(provider, event.eventId())) {
                return Outcome.DUPLICATE;
            }
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("provider", provider);
            payload.put("provider_account_id", accountId);
            payload.put("provider_event_id", event.eventId());
            payload.put("signature_verdict", verdict);
            payload.put("raw_body_digest", rawDigest);
            payload.put("received_at", at.toString());
            payload.put("event", body);
            long seq = events.append(accountId, event.kind(), provider, event.eventId(), verdict, rawDigest, payload, at);
            activated.addAll(apply(provider, accountId, event, seq));
            return Outcome.ACCEPTED;
        });
        activated.forEach(publisher::publishEvent);
        return outcome;
    }

    /** Meta's verification handshake: the challenge when mode and verify token are right. */
    public String verifySubscription(String provider, String accountId, String mode, String verifyToken,
            String challenge) {
        ProviderAccountContext account = account(provider, accountId);
        if (!"metaads".equals(provider)) {
            throw new ApiException(ErrorCode.CAPABILITY_GAP,
                    provider + " has no documented webhook verification handshake", Map.of("provider", provider));
        }
        boolean ok = "subscribe".equals(mode) && challenge != null && challenge.matches("[A-Za-z0-9_.\\-]{1,256}")
                && Signatures.sameSecret(account.credentials().get("webhook_verify_token"), verifyToken);
        if (!ok) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "rejected");
        }
        return challenge;
    }

    /** One change an event clearly states, about one provider object. */
    /** {@code at}: when the provider says the change happened, or null when the event does not say. */
    record Change(String objectType, String providerObjectId, String value, Instant at) {}

    /** A verified event: its id (for dedupe), its kind, and the changes the broker applies. */
    record Event(String eventId, String kind, List<Change> changes) {}

    /** Applies the event's changes; answers the campaigns it made active (checked for backing money once committed). */
    private List<CampaignActivatedAtProvider> apply(String provider, String accountId, Event event, long seq) {
        List<CampaignActivatedAtProvider> activated = new ArrayList<>();
        record Target(String tenantId, String objectId, Change change, String from) {}
        List<Target> targets = new ArrayList<>();
        for (Change c : event.changes()) {
            if (ProviderEvents.CAMPAIGN_STATUS.equals(c.objectType())) {
                projections.campaignsOfAccount(accountId, provider, c.providerObjectId())
                        .forEach(o -> targets.add(new Target(o.tenantId(), o.id(), c, o.status())));
            } else {
                projections.adsOfAccount(accountId, provider, c.providerObjectId())
                        .forEach(o -> targets.add(new Target(o.tenantId(), o.id(), c, o.reviewStatus())));
            }
        }
        // receipt chains first, in one order, then the rows: the order every money-moving transaction takes
        new TreeSet<>(targets.stream().map(Target::tenantId).toList()).forEach(receipts::lockChain);
        for (Target t : targets) {
            boolean changed = ProviderEvents.CAMPAIGN_STATUS.equals(t.change().objectType())
                    ? projections.setCampaignStatusFromProvider(t.tenantId(), t.objectId(), t.change().value(),
                            t.change().at())
                    : projections.setReviewStatusFromProvider(t.tenantId(), t.objectId(), t.change().value(),
                            t.change().at());
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("provider", provider);
            details.put("provider_account_id", accountId);
            details.put("provider_event_id", event.eventId());
            details.put("event_kind", event.kind());
            details.put("webhook_seq", seq);
            details.put("object_id", t.objectId());
            details.put("provider_object_id", t.change().providerObjectId());
            details.put(ProviderEvents.CAMPAIGN_STATUS.equals(t.change().objectType()) ? "status" : "review_status",
                    Map.of("from", t.from() == null ? "" : t.from(), "to", t.change().value()));
            details.put("applied", changed);
            receipts.record(t.tenantId(), ProviderEvents.CAMPAIGN_STATUS.equals(t.change().objectType())
                    ? "webhook_campaign_status" : "webhook_ad_review", null, "provider:" + provider, details);
            if (changed && ProviderEvents.CAMPAIGN_STATUS.equals(t.change().objectType())
                    && "removed_at_provider".equals(t.change().value())) {
                released(t.tenantId(), t.objectId(), provider, event.eventId());
            }
            if (changed && ProviderEvents.CAMPAIGN_STATUS.equals(t.change().objectType())
                    && "active".equals(t.change().value())) {
                activated.add(new CampaignActivatedAtProvider(t.tenantId(), t.objectId()));
            }
        }
        return activated;
    }

    /**
     * A campaign the provider says it removed cannot spend: what is held for it is released (as
     * when a pause or update finds it gone, ADR 0009), receipted with the event that said so.
     */
    private void released(String tenantId, String campaignId, String provider, String eventId) {
        String actor = "provider:" + provider;
        int released = ledger.releaseCampaign(tenantId, campaignId, "campaign_removed_at_provider", actor);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("campaign_id", campaignId);
        details.put("provider", provider);
        details.put("provider_event_id", eventId);
        details.put("released_reservations", released);
        receipts.record(tenantId, "campaign.removed_at_provider", null, actor, details);
    }

    private ProviderAccountContext account(String provider, String accountId) {
        if (WITHOUT_WEBHOOKS.contains(provider)) {
            throw new ApiException(ErrorCode.CAPABILITY_GAP, provider + " documents no webhooks; the broker takes none for it",
                    Map.of("provider", provider));
        }
        if (!WITH_WEBHOOKS.contains(provider)) {
            throw ApiException.notFound("webhook endpoint");
        }
        boolean known = accounts.all().stream()
                .anyMatch(a -> a.id().equals(accountId) && a.provider().equals(provider));
        if (!known) {
            throw ApiException.notFound("webhook endpoint");
        }
        try {
            return accounts.context(accountId);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the provider account's credentials do not decrypt", e);
        }
    }

    /** The verified body as JSON, or null when it is not a UTF-8 JSON object (stored, otherwise ignored). */
    private static Map<String, Object> parse(byte[] raw) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
            Map<String, Object> body = JsonParser.parseObject(text);
            CanonicalJson.canonicalize(body); // what the chain stores must canonicalize
            return body;
        } catch (CharacterCodingException | IllegalArgumentException e) {
            return null;
        }
    }

    static String sha256(byte[] raw) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
