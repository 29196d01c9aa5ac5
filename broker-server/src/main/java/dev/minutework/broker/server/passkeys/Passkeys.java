package dev.minutework.broker.server.passkeys;

import dev.minutework.broker.server.api.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Passkey rows: registered credentials ({@code passkey_credentials}), registrations begun
 * ({@code passkey_registrations}) and assertion challenges issued ({@code passkey_challenges}).
 * Single use of a registration or a challenge, and a rising signature counter, are conditional
 * updates; the tenant is in every query.
 */
@Repository
public class Passkeys {

    private static final String CREDENTIALS = """
            select id, tenant_id, registered_by_key_id, credential_id, public_key_cose, sign_count, user_handle, label,
                   created_at, last_used_at, revoked_at, revoked_by
            from passkey_credentials
            """;

    private final JdbcClient jdbc;
    private final Clock clock;

    Passkeys(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** A registered passkey. {@code credentialId} is base64url; {@code publicKeyCose} a COSE_Key. */
    public record Passkey(String id, String tenantId, String registeredByKeyId, String credentialId, byte[] publicKeyCose,
            long signCount, byte[] userHandle, String label, OffsetDateTime createdAt, OffsetDateTime lastUsedAt,
            OffsetDateTime revokedAt, String revokedBy) {

        public boolean active() {
            return revokedAt == null;
        }
    }

    /** A registration begun: the creation options (Yubico's JSON) its completion is checked against. */
    record Registration(String id, String tenantId, String requestedByKeyId, String label, String optionsJson,
            OffsetDateTime expiresAt, OffsetDateTime completedAt) {}

    /** An assertion challenge issued for one approval and payload digest. */
    record Challenge(String id, String tenantId, String approvalId, String payloadDigest, byte[] nonce,
            byte[] challenge, String requestJson, String requestedByKeyId, OffsetDateTime expiresAt,
            OffsetDateTime usedAt) {}

    // ------------------------------------------------------------------ credentials

    String insert(String tenantId, String registeredBy, String credentialId, byte[] cose, long signCount,
            byte[] userHandle, String label) {
        String id = Ids.next("pk");
        jdbc.sql("""
                insert into passkey_credentials (id, tenant_id, registered_by_key_id, credential_id, public_key_cose,
                    sign_count, user_handle, label, created_at)
                values (:id, :t, :by, :cred, :cose, :count, :handle, :label, :now)
                """).param("id", id).param("t", tenantId).param("by", registeredBy).param("cred", credentialId)
                .param("cose", cose).param("count", signCount).param("handle", userHandle).param("label", label)
                .param("now", now()).update();
        return id;
    }

    public List<Passkey> list(String tenantId) {
        return jdbc.sql(CREDENTIALS + " where tenant_id = :t order by created_at, id").param("t", tenantId)
                .query(this::passkey).list();
    }

    List<Passkey> active(String tenantId) {
        return jdbc.sql(CREDENTIALS + " where tenant_id = :t and revoked_at is null order by created_at, id")
                .param("t", tenantId).query(this::passkey).list();
    }

    Optional<Passkey> find(String tenantId, String id) {
        return jdbc.sql(CREDENTIALS + " where tenant_id = :t and id = :id").param("t", tenantId).param("id", id)
                .query(this::passkey).optional();
    }

    Optional<Passkey> activeByCredentialId(String tenantId, String credentialId) {
        return jdbc.sql(CREDENTIALS + " where tenant_id = :t and credential_id = :c and revoked_at is null")
                .param("t", tenantId).param("c", credentialId).query(this::passkey).optional();
    }

    /** Whether any tenant registered this credential id (registering one twice is refused). */
    boolean credentialIdTaken(String credentialId) {
        return jdbc.sql("select count(*) from passkey_credentials where credential_id = :c").param("c", credentialId)
                .query(Long.class).single() > 0;
    }

    boolean revoke(String tenantId, String id, String by) {
        return jdbc.sql("""
                update passkey_credentials set revoked_at = :now, revoked_by = :by
                where tenant_id = :t and id = :id and revoked_at is null
                """).param("now", now()).param("by", by).param("t", tenantId).param("id", id).update() == 1;
    }

    /**
     * Records a use with the authenticator's new signature counter: only an active passkey, and only
     * a counter above the stored one (or both zero: authenticators without a counter), so a cloned
     * authenticator replaying an old count loses the race too.
     */
    boolean recordUse(String tenantId, String id, long signCount) {
        return jdbc.sql("""
                update passkey_credentials set sign_count = :n, last_used_at = :now
                where tenant_id = :t and id = :id and revoked_at is null
                  and (sign_count < :n or (sign_count = 0 and :n = 0))
                """).param("n", signCount).param("now", now()).param("t", tenantId).param("id", id).update() == 1;
    }

    // ------------------------------------------------------------------ registrations

    String beginRegistration(String tenantId, String requestedBy, String label, String optionsJson, Instant expires) {
        String id = Ids.next("pkr");
        jdbc.sql("""
                insert into passkey_registrations (id, tenant_id, requested_by_key_id, label, options_json, created_at,
                    expires_at)
                values (:id, :t, :by, :label, :options, :now, :exp)
                """).param("id", id).param("t", tenantId).param("by", requestedBy).param("label", label)
                .param("options", optionsJson).param("now", now()).param("exp", utc(expires)).update();
        return id;
    }

    Optional<Registration> registration(String tenantId, String id) {
        return jdbc.sql("""
                select id, tenant_id, requested_by_key_id, label, options_json, expires_at, completed_at
                from passkey_registrations where tenant_id = :t and id = :id
                """).param("t", tenantId).param("id", id).query((rs, n) -> new Registration(rs.getString("id"),
                        rs.getString("tenant_id"), rs.getString("requested_by_key_id"), rs.getString("label"),
                        rs.getString("options_json"), rs.getObject("expires_at", OffsetDateTime.class),
                        rs.getObject("completed_at", OffsetDateTime.class))).optional();
    }

    /** Completes a registration once, before it expires. */
    boolean completeRegistration(String tenantId, String id) {
        return jdbc.sql("""
                update passkey_registrations set completed_at = :now
                where tenant_id = :t and id = :id and completed_at is null and expires_at > :now
                """).param("now", now()).param("t", tenantId).param("id", id).update() == 1;
    }

    // ------------------------------------------------------------------ challenges

    String issueChallenge(String tenantId, String approvalId, String payloadDigest, byte[] nonce, byte[] challenge,
            String requestJson, String requestedBy, Instant expires) {
        String id = Ids.next("pkc");
        jdbc.sql("""
                insert into passkey_challenges (id, tenant_id, approval_id, payload_digest, nonce, challenge,
                    request_json, requested_by_key_id, created_at, expires_at)
                values (:id, :t, :a, :d, :nonce, :challenge, :request, :by, :now, :exp)
                """).param("id", id).param("t", tenantId).param("a", approvalId).param("d", payloadDigest)
                .param("nonce", nonce).param("challenge", challenge).param("request", requestJson)
                .param("by", requestedBy).param("now", now()).param("exp", utc(expires)).update();
        return id;
    }

    Optional<Challenge> challenge(String tenantId, String id) {
        return jdbc.sql("""
                select id, tenant_id, approval_id, payload_digest, nonce, challenge, request_json, requested_by_key_id,
                       expires_at, used_at
                from passkey_challenges where tenant_id = :t and id = :id
                """).param("t", tenantId).param("id", id).query((rs, n) -> new Challenge(rs.getString("id"),
                        rs.getString("tenant_id"), rs.getString("approval_id"), rs.getString("payload_digest"),
                        rs.getBytes("nonce"), rs.getBytes("challenge"), rs.getString("request_json"),
                        rs.getString("requested_by_key_id"), rs.getObject("expires_at", OffsetDateTime.class),
                        rs.getObject("used_at", OffsetDateTime.class))).optional();
    }

    /** Uses a challenge once, for its approval, before it expires. */
    boolean useChallenge(String tenantId, String id, String approvalId) {
        return jdbc.sql("""
                update passkey_challenges set used_at = :now
                where tenant_id = :t and id = :id and approval_id = :a and used_at is null and expires_at > :now
                """).param("now", now()).param("t", tenantId).param("id", id).param("a", approvalId).update() == 1;
    }

    private Passkey passkey(ResultSet rs, int n) throws SQLException {
        return new Passkey(rs.getString("id"), rs.getString("tenant_id"), rs.getString("registered_by_key_id"),
                rs.getString("credential_id"), rs.getBytes("public_key_cose"), rs.getLong("sign_count"),
                rs.getBytes("user_handle"), rs.getString("label"), rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("last_used_at", OffsetDateTime.class), rs.getObject("revoked_at", OffsetDateTime.class),
                rs.getString("revoked_by"));
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }

    private static OffsetDateTime utc(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }
}
