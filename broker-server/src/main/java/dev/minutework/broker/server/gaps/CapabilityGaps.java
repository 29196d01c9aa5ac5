package dev.minutework.broker.server.gaps;

import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.server.api.Ids;
import dev.minutework.broker.server.api.RequestJson;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Capability gap reports, recorded automatically or reported by a builder or agent. */
@Repository
public class CapabilityGaps {

    private static final RowMapper<Gap> GAP = (rs, n) -> new Gap(rs.getString("id"), rs.getString("capability"),
            rs.getString("action"), rs.getString("provider"), rs.getString("reason"), rs.getString("source"),
            rs.getString("reported_by"), rs.getObject("created_at", OffsetDateTime.class));

    private final JdbcClient jdbc;
    private static final String COLUMNS = "id, capability, action, provider, reason, source, reported_by, created_at";
    private static final String SELECT = "select " + COLUMNS + " from capability_gaps";

    private final Clock clock;

    CapabilityGaps(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** The longest reason stored; longer ones are cut. */
    static final int MAX_REASON = 2_000;

    /**
     * Records a gap and answers it as stored. The names are what a caller asked for, so they are
     * stored cut at 64 characters (and the reason at {@value #MAX_REASON}): a gap never holds a
     * megabyte of someone's input.
     */
    public Gap record(String tenantId, String capability, String action, String provider, String reason,
            String source, String reportedBy) {
        capability = RequestJson.clip(capability, 64);
        action = RequestJson.clip(action, 64);
        provider = RequestJson.clip(provider, 64);
        reason = RequestJson.clip(reason, MAX_REASON);
        return jdbc.sql("""
                insert into capability_gaps (id, tenant_id, capability, action, provider, reason, source, reported_by, created_at)
                values (:id, :t, :c, :a, :p, :r, :s, :by, :now)
                returning\s""" + COLUMNS).param("id", Ids.next("gap")).param("t", tenantId).param("c", capability)
                .param("a", action).param("p", provider).param("r", reason).param("s", source).param("by", reportedBy)
                .param("now", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC)).query(GAP).single();
    }

    /** One gap record as a tenant sees its own. */
    public record Gap(String id, String capability, String action, String provider, String reason, String source,
            String reportedBy, OffsetDateTime createdAt) {

        /** The gap as the runtime surface shows it. */
        public Map<String, Object> view() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("gap_id", id);
            m.put("capability", capability);
            m.put("action", action);
            m.put("provider", provider);
            m.put("reason", reason);
            m.put("source", source);
            m.put("reported_by", reportedBy);
            m.put("created_at", Times.rfc3339(createdAt));
            return m;
        }
    }

    /** The tenant's own gap records, newest first. */
    public List<Gap> forTenant(String tenantId) {
        return jdbc.sql(SELECT + " where tenant_id = :t order by created_at desc, id desc limit 500").param("t", tenantId).query(GAP).list();
    }

    /** Counts per missing capability/action/provider across tenants, for the operator. */
    public List<Map<String, Object>> summary() {
        return jdbc.sql("""
                select capability, action, provider, count(*) as reports, count(distinct tenant_id) as tenants,
                       max(created_at) as last_reported_at
                from capability_gaps group by capability, action, provider
                order by count(*) desc, capability, action nulls first, provider nulls first
                """).query((rs, n) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("capability", rs.getString("capability"));
                    m.put("action", rs.getString("action"));
                    m.put("provider", rs.getString("provider"));
                    m.put("reports", rs.getLong("reports"));
                    m.put("tenants", rs.getLong("tenants"));
                    m.put("last_reported_at", Times.rfc3339(rs.getObject("last_reported_at", OffsetDateTime.class)));
                    return m;
                }).list();
    }
}
