package dev.minutework.broker.server.tenants;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * A tenant's approval policy (table {@code tenant_approval_policies}): the spend impact above which
 * an approval must be signed with a passkey. No row, or a null threshold: no passkey is required.
 */
@Repository
public class ApprovalPolicies {

    private final JdbcClient jdbc;
    private final Clock clock;

    ApprovalPolicies(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * The policy as stored.
     *
     * @param passkeyRequiredAboveMinor above this spend impact (minor units) an approval needs a
     *     passkey; null: never
     */
    public record Policy(String tenantId, Long passkeyRequiredAboveMinor, String updatedBy, OffsetDateTime updatedAt) {

        /** Whether an approval (or standing grant ceiling) of {@code amountMinor} must be passkey-signed. */
        public boolean passkeyRequiredFor(long amountMinor) {
            return passkeyRequiredAboveMinor != null && amountMinor > passkeyRequiredAboveMinor;
        }

        static Policy none(String tenantId) {
            return new Policy(tenantId, null, null, null);
        }
    }

    /** The tenant's policy (one without a requirement when none was ever set). */
    public Policy find(String tenantId) {
        return jdbc.sql("""
                select tenant_id, passkey_required_above_minor, updated_by, updated_at
                from tenant_approval_policies where tenant_id = :t
                """).param("t", tenantId).query((rs, n) -> {
                    long v = rs.getLong("passkey_required_above_minor");
                    Long threshold = rs.wasNull() ? null : v;
                    return new Policy(rs.getString("tenant_id"), threshold, rs.getString("updated_by"),
                            rs.getObject("updated_at", OffsetDateTime.class));
                }).optional().orElse(Policy.none(tenantId));
    }

    /** Locks the tenant's policy row (creating it if need be) so a check-then-set runs one at a time. */
    Optional<Policy> lock(String tenantId) {
        jdbc.sql("""
                insert into tenant_approval_policies (tenant_id, passkey_required_above_minor, updated_by, updated_at)
                values (:t, null, 'default', :now) on conflict (tenant_id) do nothing
                """).param("t", tenantId).param("now", now()).update();
        return jdbc.sql("select tenant_id from tenant_approval_policies where tenant_id = :t for update")
                .param("t", tenantId).query(String.class).optional().map(id -> find(tenantId));
    }

    /** Sets the threshold (null: no passkey required); call inside a transaction. */
    void set(String tenantId, Long passkeyRequiredAboveMinor, String by) {
        jdbc.sql("""
                insert into tenant_approval_policies (tenant_id, passkey_required_above_minor, updated_by, updated_at)
                values (:t, :v, :by, :now)
                on conflict (tenant_id) do update set passkey_required_above_minor = excluded.passkey_required_above_minor,
                    updated_by = excluded.updated_by, updated_at = excluded.updated_at
                """).param("t", tenantId).param("v", passkeyRequiredAboveMinor).param("by", by).param("now", now())
                .update();
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }
}
