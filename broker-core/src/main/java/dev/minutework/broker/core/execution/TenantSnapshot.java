package dev.minutework.broker.core.execution;

import dev.minutework.broker.core.approval.StandingGrant;
import dev.minutework.broker.core.provider.ProviderCheck;
import dev.minutework.broker.core.spend.CampaignState;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the broker knows of a tenant, one provider and one caller when it decides a request: read
 * together by the server, then judged by {@link Decider} without further reads. Absent facts are
 * null (no connection, no profile, no wallet, no campaign).
 *
 * @param provider the provider key the request is for
 * @param callerKeyId the API key asking (standing grants may be limited to one key, and never
 *     cover their issuer's own requests)
 * @param executionId the execution being decided when it exists already (an approved one), else null
 * @param adapter the adapter serving the provider, or null when none does
 * @param connection the tenant's live connection to the provider, or null
 * @param liveChecks what the provider said of the platform's account (preflight's live checks,
 *     worded for the tenant); empty when they were not run
 * @param advertiser the tenant's advertiser profile, or null
 * @param anyAuthorizationActive whether any spend authorization for the provider is active
 * @param authorization the active authorization in the request's spend currency, or null
 * @param wallet the tenant's wallet, or null
 * @param references the tenant's objects the input names by broker id, keyed by input field
 *     ({@code campaign_id}, {@code group_id}, {@code creative_id}); a missing one is absent
 * @param campaign the campaign the request concerns (named, or the parent of a named group), or null
 * @param heldForCampaignMinor what the ledger holds for that campaign
 * @param standing the tenant's active standing grants for the request's action
 * @param killSwitch the engaged kill switch whose scope covers the tenant at the provider's account,
 *     or null when none is engaged
 */
public record TenantSnapshot(String provider, String callerKeyId, String executionId, Adapter adapter,
        Connection connection, List<ProviderCheck> liveChecks, Advertiser advertiser, boolean anyAuthorizationActive,
        Authorization authorization, Wallet wallet, Map<String, Reference> references, Campaign campaign,
        long heldForCampaignMinor, List<StandingGrant> standing, KillSwitch killSwitch) {

    public TenantSnapshot {
        liveChecks = List.copyOf(liveChecks);
        references = Map.copyOf(references);
        standing = List.copyOf(standing);
    }

    /**
     * An engaged kill switch: while it is, the tenant's campaigns in its scope are paused by the
     * broker and no new mutating request but a pause runs.
     *
     * @param scope {@code tenant} (every provider account of the tenant) or {@code provider_account}
     *     (every tenant using one platform-owned provider account)
     */
    public record KillSwitch(String id, String scope, String engagedBy, String reason) {}

    /** The adapter serving the provider; {@code real} when it is not a sandbox or a stand-in. */
    public record Adapter(String id, boolean real) {}

    /** A tenant's connection to a provider; only an {@code active} one carries calls. */
    public record Connection(String id, String status) {
        public boolean active() {
            return "active".equals(status);
        }
    }

    public record Advertiser(boolean verified, String verificationStatus, boolean termsAccepted,
            String termsVersion) {}

    /**
     * An active spend authorization.
     *
     * @param remainingMinor its cap less what it has reserved and settled
     * @param dailyCapMinor its daily cap, or null
     * @param validUntil its end, or null
     */
    public record Authorization(String id, String currency, long remainingMinor, Long dailyCapMinor,
            Instant validUntil) {}

    /** @param availableMinor the balance less what is reserved */
    public record Wallet(String currency, long availableMinor) {}

    /**
     * One of the tenant's objects the input names; {@code provider} is the provider it lives at;
     * {@code removedAtProvider} when the provider said it no longer has it.
     */
    public record Reference(String kind, String id, String provider, boolean removedAtProvider) {
        public Reference(String kind, String id, String provider) {
            this(kind, id, provider, false);
        }
    }

    /**
     * A campaign as the broker projects it.
     *
     * @param busyExecutionId the execution whose change of it is at the provider or of unknown
     *     outcome, or null
     */
    public record Campaign(String id, String provider, String currency, CampaignState state,
            String busyExecutionId) {}

    /** This snapshot with the campaign and what is held for it as they are now (read under the row's lock). */
    public TenantSnapshot withCampaign(Campaign now, long heldMinor) {
        return new TenantSnapshot(provider, callerKeyId, executionId, adapter, connection, liveChecks, advertiser,
                anyAuthorizationActive, authorization, wallet, references, now, heldMinor, standing, killSwitch);
    }
}
