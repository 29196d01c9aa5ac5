package dev.minutework.broker.server.ads;

import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.execution.TenantSnapshot;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.core.spend.BudgetPeriod;
import dev.minutework.broker.core.spend.CampaignBudget;
import dev.minutework.broker.core.spend.CampaignState;
import dev.minutework.broker.server.api.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Campaign and object projections. Tenants only ever see and reference these broker ids. */
@Repository
public class Projections {

    private static final String CAMPAIGNS = """
            select id, tenant_id, provider, connection_id, provider_object_id, name, objective, status,
                   budget_amount_minor, currency, budget_period, start_time, end_time, spend_minor, created_by,
                   created_at, updated_at, busy_execution_id
            from ads_campaigns
            """;
    private static final String OBJECTS = """
            select id, tenant_id, kind, provider, connection_id, campaign_id, parent_id, provider_object_id, name,
                   status, review_status, data::text as data, created_by, created_at, updated_at
            from ads_objects
            """;

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;

    Projections(JdbcClient jdbc, JsonMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    public record Campaign(String id, String tenantId, String provider, String connectionId, String providerObjectId,
            String name, String objective, String status, long budgetAmountMinor, String currency, String budgetPeriod,
            OffsetDateTime startTime, OffsetDateTime endTime, long spendMinor, String createdBy,
            OffsetDateTime createdAt, OffsetDateTime updatedAt, String busyExecutionId) {

        /** What the campaign is at the provider, as far as spend goes. */
        public CampaignState state() {
            return new CampaignState(new CampaignBudget(Money.of(budgetAmountMinor, currency),
                    BudgetPeriod.parse(budgetPeriod)), "active".equals(status),
                    startTime == null ? null : startTime.toInstant(), endTime == null ? null : endTime.toInstant());
        }

        /**
         * The campaign as a command creating it as it is now would read: what adapters whose groups
         * carry the campaign's schedule (TikTok) need of it.
         */
        public ExecuteCommand.CreateCampaign asCreated() {
            CampaignState s = state();
            return new ExecuteCommand.CreateCampaign(name, objective, s.active(), s.budget(), s.start(), s.end());
        }

        /** The campaign as a decision sees it. */
        public TenantSnapshot.Campaign fact() {
            return new TenantSnapshot.Campaign(id, provider, currency, state(), busyExecutionId);
        }
    }

    public record AdsObject(String id, String tenantId, String kind, String provider, String connectionId,
            String campaignId, String parentId, String providerObjectId, String name, String status,
            String reviewStatus, Map<String, Object> data, String createdBy, OffsetDateTime createdAt,
            OffsetDateTime updatedAt) {}

    /**
     * Projects a campaign the provider created by {@code executionId}. The caller links that
     * execution's held spend reservations to it in the same transaction
     * ({@code SpendLedger.attachToCampaign}), so they follow the campaign (pause, settlement).
     */
    public String insertCampaign(String tenantId, String provider, String connectionId, String providerObjectId,
            String name, String objective, String status, long budgetMinor, String currency, String period,
            Instant start, Instant end, String executionId) {
        String id = Ids.next("cmp");
        jdbc.sql("""
                insert into ads_campaigns (id, tenant_id, provider, connection_id, provider_object_id, name,
                    objective, status, budget_amount_minor, currency, budget_period, start_time, end_time,
                    created_by, created_at, updated_at)
                values (:id, :t, :p, :c, :po, :name, :obj, :status, :budget, :cur, :period, :start, :end, :e,
                    :now, :now)
                """).param("id", id).param("t", tenantId).param("p", provider).param("c", connectionId)
                .param("po", providerObjectId).param("name", name).param("obj", objective).param("status", status)
                .param("budget", budgetMinor).param("cur", currency).param("period", period).param("start", odt(start))
                .param("end", odt(end)).param("e", executionId).param("now", now()).update();
        return id;
    }

    /**
     * Applies a change the provider carried out to the campaign's projection, and frees the campaign
     * for the next change. Null fields are left as they are.
     */
    public void updateCampaign(String tenantId, String id, String name, String status, Long budgetMinor, String period,
            Instant end) {
        jdbc.sql("""
                update ads_campaigns set name = coalesce(:name, name), status = coalesce(:status, status),
                    status_changed_at = case when cast(:status as text) is null then status_changed_at else :now end,
                    budget_amount_minor = coalesce(:budget, budget_amount_minor),
                    budget_period = coalesce(:period, budget_period), end_time = coalesce(:end, end_time),
                    busy_execution_id = null, updated_at = :now
                where tenant_id = :t and id = :id
                """).param("name", name).param("status", status).param("budget", budgetMinor).param("period", period)
                .param("end", odt(end)).param("now", now()).param("t", tenantId).param("id", id).update();
    }

    /**
     * Reads a campaign and locks its row until the transaction ends: the state a change of it is
     * planned on, which no other change can move meanwhile. With {@link #setBusy}, the enforcement
     * of broker-core's {@code Decider} rule that changes of a campaign run one at a time
     * ({@code campaign_busy}).
     */
    public Optional<Campaign> lockCampaign(String tenantId, String id) {
        return jdbc.sql(CAMPAIGNS + " where tenant_id = :t and id = :id for update").param("t", tenantId)
                .param("id", id).query(this::campaign).optional();
    }

    /**
     * Marks a locked campaign as changed by {@code executionId} (at the provider until its outcome is
     * known), or frees it ({@code executionId} null) when the change held no answer that moved it.
     */
    public void setBusy(String tenantId, String id, String executionId) {
        jdbc.sql("update ads_campaigns set busy_execution_id = :e where tenant_id = :t and id = :id")
                .param("e", executionId).param("t", tenantId).param("id", id).update();
    }

    /**
     * Marks a campaign the provider no longer has ({@code removed_at_provider}): it cannot deliver, so
     * nothing is held for it any more, and it cannot be changed through the broker again.
     */
    public void markRemovedAtProvider(String tenantId, String id) {
        jdbc.sql("""
                update ads_campaigns set status = 'removed_at_provider', busy_execution_id = null, updated_at = :now
                where tenant_id = :t and id = :id
                """).param("now", now()).param("t", tenantId).param("id", id).update();
    }

    /** Frees the campaign a settled execution was changing, if it was. */
    public void freeCampaign(String tenantId, String executionId) {
        jdbc.sql("update ads_campaigns set busy_execution_id = null where tenant_id = :t and busy_execution_id = :e")
                .param("t", tenantId).param("e", executionId).update();
    }

    public String insertObject(String tenantId, String kind, String provider, String connectionId, String campaignId,
            String parentId, String providerObjectId, String name, String status, String reviewStatus,
            Map<String, Object> data, String executionId) {
        String id = Ids.next(switch (kind) {
            case "group" -> "grp";
            case "creative" -> "crv";
            default -> "ad";
        });
        jdbc.sql("""
                insert into ads_objects (id, tenant_id, kind, provider, connection_id, campaign_id, parent_id,
                    provider_object_id, name, status, review_status, data, created_by, created_at, updated_at)
                values (:id, :t, :k, :p, :c, :cmp, :parent, :po, :name, :status, :review, cast(:data as jsonb), :e,
                    :now, :now)
                """).param("id", id).param("t", tenantId).param("k", kind).param("p", provider).param("c", connectionId)
                .param("cmp", campaignId).param("parent", parentId).param("po", providerObjectId).param("name", name)
                .param("status", status).param("review", reviewStatus).param("data", json.writeValueAsString(data))
                .param("e", executionId).param("now", now()).update();
        return id;
    }

    /**
     * An object a provider account's webhook names, in one tenant's projections: the tenant (through
     * the connection that uses the account), the broker id, and what the projection says now.
     */
    public record ProviderObject(String tenantId, String id, String status, String reviewStatus) {}

    /**
     * The campaigns, in every tenant, that the provider account created under {@code providerObjectId}
     * (a platform-owned account can serve several tenants through their connections).
     */
    public List<ProviderObject> campaignsOfAccount(String providerAccountId, String provider, String providerObjectId) {
        return jdbc.sql("""
                select c.tenant_id, c.id, c.status from ads_campaigns c
                join broker_connections bc on bc.id = c.connection_id and bc.tenant_id = c.tenant_id
                where bc.provider_account_id = :account and c.provider = :p and c.provider_object_id = :po
                order by c.tenant_id, c.id
                """).param("account", providerAccountId).param("p", provider).param("po", providerObjectId)
                .query((rs, n) -> new ProviderObject(rs.getString("tenant_id"), rs.getString("id"),
                        rs.getString("status"), null)).list();
    }

    /** The ads, in every tenant, that the provider account created under {@code providerObjectId}. */
    public List<ProviderObject> adsOfAccount(String providerAccountId, String provider, String providerObjectId) {
        return jdbc.sql("""
                select o.tenant_id, o.id, o.status, o.review_status from ads_objects o
                join broker_connections bc on bc.id = o.connection_id and bc.tenant_id = o.tenant_id
                where bc.provider_account_id = :account and o.provider = :p and o.kind = 'ad'
                  and o.provider_object_id = :po
                order by o.tenant_id, o.id
                """).param("account", providerAccountId).param("p", provider).param("po", providerObjectId)
                .query((rs, n) -> new ProviderObject(rs.getString("tenant_id"), rs.getString("id"),
                        rs.getString("status"), rs.getString("review_status"))).list();
    }

    /**
     * Sets the status a provider reported for a campaign (a webhook), unless the campaign is already
     * {@code removed_at_provider}, which is final. Moves no money and leaves {@code busy_execution_id}
     * alone: the execution that holds the campaign settles it. Whether the row changed.
     */
    public boolean setCampaignStatusFromProvider(String tenantId, String id, String status, Instant at) {
        // an event older than the status last applied (a late or retried delivery) changes nothing;
        // one that repeats the status still moves the time it was last known, so that an older
        // event arriving after it cannot undo it
        return jdbc.sql("""
                update ads_campaigns c set status = :s,
                    updated_at = case when c.status <> :s then :now else c.updated_at end,
                    status_changed_at = greatest(c.status_changed_at, cast(:at as timestamptz))
                from (select status as before from ads_campaigns where tenant_id = :t and id = :id for update) o
                where c.tenant_id = :t and c.id = :id and c.status <> 'removed_at_provider'
                  and (cast(:at as timestamptz) is null or c.status_changed_at is null
                       or date_trunc('second', c.status_changed_at) <= :at)
                returning o.before
                """).param("s", status).param("now", now()).param("at", odt(at)).param("t", tenantId)
                .param("id", id).query(String.class).optional().filter(before -> !before.equals(status)).isPresent();
    }

    /**
     * Sets an ad's review status as the provider reported it (a webhook or a poll), unless a newer
     * one was applied already. Whether the row changed.
     */
    public boolean setReviewStatusFromProvider(String tenantId, String id, String reviewStatus, Instant at) {
        return jdbc.sql("""
                update ads_objects set review_status = :r, updated_at = :now,
                    review_status_at = greatest(review_status_at, cast(:at as timestamptz))
                where tenant_id = :t and id = :id and kind = 'ad' and review_status is distinct from :r
                  and (cast(:at as timestamptz) is null or review_status_at is null
                       or date_trunc('second', review_status_at) <= :at)
                """).param("r", reviewStatus).param("now", now()).param("at", odt(at)).param("t", tenantId)
                .param("id", id).update() == 1;
    }

    public Optional<Campaign> campaign(String tenantId, String id) {
        return jdbc.sql(CAMPAIGNS + " where tenant_id = :t and id = :id").param("t", tenantId).param("id", id)
                .query(this::campaign).optional();
    }

    /**
     * Campaigns whose spend may still be reported: active ones, and any changed in the last
     * {@code days} days (a paused campaign's last days still settle), across tenants.
     */
    public List<Campaign> spending(Instant since, int limit) {
        return jdbc.sql(CAMPAIGNS + """
                 where status <> 'removed_at_provider' and (status = 'active' or updated_at >= :since)
                 order by tenant_id, id limit :limit""").param("since", odt(since)).param("limit", limit)
                .query(this::campaign).list();
    }

    /** Sets what the provider reports a campaign has spent in all. */
    public void setSpend(String tenantId, String id, long spendMinor) {
        jdbc.sql("update ads_campaigns set spend_minor = :s where tenant_id = :t and id = :id")
                .param("s", spendMinor).param("t", tenantId).param("id", id).update();
    }

    public List<Campaign> campaigns(String tenantId) {
        return jdbc.sql(CAMPAIGNS + " where tenant_id = :t order by created_at").param("t", tenantId)
                .query(this::campaign).list();
    }

    public Optional<Campaign> campaignByProviderId(String tenantId, String provider, String providerObjectId) {
        return jdbc.sql(CAMPAIGNS + " where tenant_id = :t and provider = :p and provider_object_id = :po")
                .param("t", tenantId).param("p", provider).param("po", providerObjectId).query(this::campaign).optional();
    }

    public Optional<AdsObject> object(String tenantId, String kind, String id) {
        return jdbc.sql(OBJECTS + " where tenant_id = :t and kind = :k and id = :id").param("t", tenantId)
                .param("k", kind).param("id", id).query(this::object).optional();
    }

    public List<AdsObject> objects(String tenantId, String kind, String campaignId) {
        return jdbc.sql(OBJECTS + """
                 where tenant_id = :t and (cast(:k as text) is null or kind = :k)
                   and (cast(:c as text) is null or campaign_id = :c)
                 order by created_at
                """).param("t", tenantId).param("k", kind).param("c", campaignId).query(this::object).list();
    }

    private Campaign campaign(ResultSet rs, int n) throws SQLException {
        return new Campaign(rs.getString("id"), rs.getString("tenant_id"), rs.getString("provider"),
                rs.getString("connection_id"), rs.getString("provider_object_id"), rs.getString("name"),
                rs.getString("objective"), rs.getString("status"), rs.getLong("budget_amount_minor"),
                rs.getString("currency"), rs.getString("budget_period"), rs.getObject("start_time", OffsetDateTime.class),
                rs.getObject("end_time", OffsetDateTime.class), rs.getLong("spend_minor"), rs.getString("created_by"),
                rs.getObject("created_at", OffsetDateTime.class), rs.getObject("updated_at", OffsetDateTime.class),
                rs.getString("busy_execution_id"));
    }

    private AdsObject object(ResultSet rs, int n) throws SQLException {
        return new AdsObject(rs.getString("id"), rs.getString("tenant_id"), rs.getString("kind"), rs.getString("provider"),
                rs.getString("connection_id"), rs.getString("campaign_id"), rs.getString("parent_id"),
                rs.getString("provider_object_id"), rs.getString("name"), rs.getString("status"),
                rs.getString("review_status"),
                json.readValue(rs.getString("data"), new TypeReference<Map<String, Object>>() {}),
                rs.getString("created_by"), rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("updated_at", OffsetDateTime.class));
    }

    private static OffsetDateTime odt(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }
}
