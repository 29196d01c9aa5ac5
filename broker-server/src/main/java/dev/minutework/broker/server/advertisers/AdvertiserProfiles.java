package dev.minutework.broker.server.advertisers;

import dev.minutework.broker.core.execution.TenantSnapshot;
import dev.minutework.broker.server.persistence.Reads;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** One advertiser profile per tenant. */
@Repository
public class AdvertiserProfiles {

    private final JdbcClient jdbc;
    private final Clock clock;

    AdvertiserProfiles(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public record Profile(String tenantId, String legalName, String verificationStatus, String termsVersion,
            OffsetDateTime termsAcceptedAt, String termsAcceptedBy, OffsetDateTime updatedAt) {
        public boolean verified() {
            return "verified".equals(verificationStatus);
        }

        public boolean termsAccepted() {
            return termsVersion != null && termsAcceptedAt != null && termsAcceptedBy != null;
        }

        /** The profile as a decision sees it. */
        public TenantSnapshot.Advertiser fact() {
            return new TenantSnapshot.Advertiser(verified(), verificationStatus, termsAccepted(), termsVersion);
        }
    }

    public Profile put(String tenantId, String legalName, String status, String termsVersion, Instant acceptedAt,
            String acceptedBy) {
        jdbc.sql("""
                insert into advertiser_profiles (tenant_id, legal_name, verification_status, terms_version,
                                                 terms_accepted_at, terms_accepted_by, updated_at)
                values (:t, :name, :status, :version, :at, :by, :now)
                on conflict (tenant_id) do update set legal_name = excluded.legal_name,
                    verification_status = excluded.verification_status, terms_version = excluded.terms_version,
                    terms_accepted_at = excluded.terms_accepted_at, terms_accepted_by = excluded.terms_accepted_by,
                    updated_at = excluded.updated_at
                """).param("t", tenantId).param("name", legalName).param("status", status).param("version", termsVersion)
                .param("at", acceptedAt == null ? null : OffsetDateTime.ofInstant(acceptedAt, ZoneOffset.UTC))
                .param("by", acceptedBy).param("now", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC))
                .update();
        return find(tenantId).orElseThrow();
    }

    public Optional<Profile> find(String tenantId) {
        Reads.Read<Profile> read = read();
        return jdbc.sql(read.sql()).param("tenant", tenantId).query(read.mapper()).optional();
    }

    /** {@link #find} as a read of a round trip: parameter {@code tenant}. */
    public Reads.Read<Profile> read() {
        return new Reads.Read<>("""
                select tenant_id, legal_name, verification_status, terms_version, terms_accepted_at, terms_accepted_by,
                       updated_at
                from advertiser_profiles where tenant_id = :tenant
                """, (rs, n) -> new Profile(rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getString(4), rs.getObject(5, OffsetDateTime.class), rs.getString(6),
                rs.getObject(7, OffsetDateTime.class)));
    }
}
