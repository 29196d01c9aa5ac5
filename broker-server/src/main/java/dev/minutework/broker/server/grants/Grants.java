package dev.minutework.broker.server.grants;

import dev.minutework.broker.core.approval.OneShotGrant;
import dev.minutework.broker.core.approval.StandingGrant;
import dev.minutework.broker.server.persistence.Reads;
import dev.minutework.broker.core.approval.StandingGrantTerms;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.server.api.Ids;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Approval grant rows. Single use and spend ceilings are enforced by conditional updates. */
@Repository
public class Grants {

    private static final String SELECT = """
            select id, tenant_id, kind, status, execution_id, action, provider, payload_digest, actions, currency,
                   spend_ceiling_minor, spend_used_minor, spend_impact_minor, expires_at, requested_by_key_id,
                   limited_to_key_id, decided_by_key_id, decided_at, reason, created_at
            from approval_grants
            """;

    private final JdbcClient jdbc;
    private final Clock clock;

    Grants(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public record Grant(String id, String tenantId, String kind, String status, String executionId, String action,
            String provider, String payloadDigest, List<String> actions, String currency, Long spendCeilingMinor,
            long spendUsedMinor, long spendImpactMinor, OffsetDateTime expiresAt, String requestedByKeyId,
            String limitedToKeyId, String decidedByKeyId, OffsetDateTime decidedAt, String reason,
            OffsetDateTime createdAt) {

        public StandingGrantTerms terms() {
            String cur = currency == null ? "USD" : currency;
            return new StandingGrantTerms(Set.copyOf(actions), provider, Money.of(spendCeilingMinor, cur),
                    Money.of(spendUsedMinor, cur), expiresAt.toInstant(), limitedToKeyId, decidedByKeyId);
        }

        /** A standing grant row as the domain's grant. */
        public StandingGrant standing() {
            return new StandingGrant(id, terms());
        }

        /** A one-shot approval row as the domain's grant. */
        public OneShotGrant oneShot() {
            return new OneShotGrant(id, tenantId, executionId, action, provider, payloadDigest, expiresAt.toInstant(),
                    requestedByKeyId, status);
        }
    }

    public String createOneShot(String tenantId, String executionId, String action, String provider, String digest,
            long impact, String currency, String requestedBy, Instant expiresAt) {
        String id = Ids.next("apr");
        jdbc.sql("""
                insert into approval_grants (id, tenant_id, kind, status, execution_id, action, provider, payload_digest,
                    currency, spend_impact_minor, expires_at, requested_by_key_id, created_at)
                values (:id, :t, 'one_shot', 'pending', :e, :a, :p, :d, :c, :impact, :exp, :by, :now)
                """).param("id", id).param("t", tenantId).param("e", executionId).param("a", action).param("p", provider)
                .param("d", digest).param("c", currency).param("impact", impact)
                .param("exp", OffsetDateTime.ofInstant(expiresAt, ZoneOffset.UTC)).param("by", requestedBy)
                .param("now", now()).update();
        return id;
    }

    public String createStanding(String tenantId, List<String> actions, String provider, Money ceiling,
            Instant expiresAt, String limitedTo, String issuedBy) {
        String id = Ids.next("sgr");
        jdbc.sql("""
                insert into approval_grants (id, tenant_id, kind, status, provider, actions, currency,
                    spend_ceiling_minor, expires_at, limited_to_key_id, decided_by_key_id, decided_at, created_at)
                values (:id, :t, 'standing', 'approved', :p, :actions, :c, :ceiling, :exp, :limited, :by, :now, :now)
                """).param("id", id).param("t", tenantId).param("p", provider).param("actions", actions.toArray(String[]::new))
                .param("c", ceiling.currency()).param("ceiling", ceiling.amountMinor())
                .param("exp", OffsetDateTime.ofInstant(expiresAt, ZoneOffset.UTC)).param("limited", limitedTo)
                .param("by", issuedBy).param("now", now()).update();
        return id;
    }

    public Optional<Grant> find(String tenantId, String id) {
        return jdbc.sql(SELECT + " where tenant_id = :t and id = :id").param("t", tenantId).param("id", id)
                .query(this::map).optional();
    }

    public List<Grant> list(String tenantId, String status) {
        return jdbc.sql(SELECT + " where tenant_id = :t and (cast(:s as text) is null or status = :s) order by created_at")
                .param("t", tenantId).param("s", status).query(this::map).list();
    }

    /**
     * Standing grants of a tenant for a provider and action that are approved and unexpired now,
     * soonest expiry first, as a read of a round trip: parameters {@code tenant}, {@code provider},
     * {@code action}, {@code now}.
     */
    public Reads.Read<Grant> standingRead() {
        return new Reads.Read<>(SELECT + """
                 where tenant_id = :tenant and kind = 'standing' and status = 'approved' and provider = :provider
                   and :action = any(actions) and expires_at > :now
                 order by expires_at
                """, this::map);
    }

    /**
     * Consumes {@code impact} of a standing grant's ceiling for a request of {@code requesterKeyId};
     * false when the grant no longer covers it. This conditional update enforces
     * {@code StandingGrant.covers} (broker-core): approved, unexpired, limited to no key or to the
     * requester's, not issued by the requester, and — for a spend — in the grant's currency and
     * within what is left of its ceiling. Action and provider are those of {@link #standingRead}.
     */
    public boolean consume(String tenantId, String id, long impact, String currency, String requesterKeyId) {
        return jdbc.sql("""
                update approval_grants set spend_used_minor = spend_used_minor + :impact
                where tenant_id = :t and id = :id and kind = 'standing' and status = 'approved' and expires_at > :now
                  and (limited_to_key_id is null or limited_to_key_id = :requester)
                  and decided_by_key_id is distinct from :requester
                  and (:impact = 0 or (currency = :c and spend_used_minor + :impact <= spend_ceiling_minor))
                """).param("impact", impact).param("t", tenantId).param("id", id).param("now", now())
                .param("requester", requesterKeyId).param("c", currency).update() == 1;
    }

    /** Decides a pending one-shot grant: {@code used} (approved and consumed at once) or {@code denied}. */
    public boolean decide(String tenantId, String id, String to, String decidedBy, String reason) {
        return jdbc.sql("""
                update approval_grants set status = :to, decided_by_key_id = :by, decided_at = :now, reason = :reason
                where tenant_id = :t and id = :id and kind = 'one_shot' and status = 'pending' and expires_at > :now
                  and requested_by_key_id <> :by
                """).param("to", to).param("by", decidedBy).param("now", now()).param("reason", reason)
                .param("t", tenantId).param("id", id).update() == 1;
    }

    /** Retires a pending one-shot grant that a new one (with a new spend impact) replaces. */
    public boolean supersede(String tenantId, String id) {
        return jdbc.sql("""
                update approval_grants set status = 'superseded', decided_at = :now
                where tenant_id = :t and id = :id and kind = 'one_shot' and status = 'pending'
                """).param("now", now()).param("t", tenantId).param("id", id).update() == 1;
    }

    public boolean expire(String tenantId, String id) {
        return jdbc.sql("update approval_grants set status = 'expired' where tenant_id = :t and id = :id and status = 'pending'")
                .param("t", tenantId).param("id", id).update() == 1;
    }

    public boolean revokeStanding(String tenantId, String id, String by) {
        return jdbc.sql("""
                update approval_grants set status = 'revoked', reason = 'revoked by ' || :by
                where tenant_id = :t and id = :id and kind = 'standing' and status = 'approved'
                """).param("by", by).param("t", tenantId).param("id", id).update() == 1;
    }

    private Grant map(ResultSet rs, int n) throws SQLException {
        Array actions = rs.getArray("actions");
        long ceiling = rs.getLong("spend_ceiling_minor");
        Long ceilingOrNull = rs.wasNull() ? null : ceiling;
        return new Grant(rs.getString("id"), rs.getString("tenant_id"), rs.getString("kind"), rs.getString("status"),
                rs.getString("execution_id"), rs.getString("action"), rs.getString("provider"),
                rs.getString("payload_digest"), actions == null ? List.of() : List.of((String[]) actions.getArray()),
                rs.getString("currency"), ceilingOrNull, rs.getLong("spend_used_minor"),
                rs.getLong("spend_impact_minor"), rs.getObject("expires_at", OffsetDateTime.class),
                rs.getString("requested_by_key_id"), rs.getString("limited_to_key_id"),
                rs.getString("decided_by_key_id"), rs.getObject("decided_at", OffsetDateTime.class),
                rs.getString("reason"), rs.getObject("created_at", OffsetDateTime.class));
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }
}
