package dev.minutework.broker.server.console;

import dev.minutework.broker.server.api.Ids;
import dev.minutework.broker.server.identity.ApiKeys;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.OperatorKey;
import dev.minutework.broker.server.identity.Role;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Console sessions (table {@code console_sessions}). The browser holds a random token; the table
 * holds its SHA-256, the key the session was opened with (never the key itself), the CSRF token of
 * its forms, and when it ends: after {@link #IDLE} without a request, or {@link #LIFETIME} after
 * sign-in, whichever is first. A session of a tenant key lives only as long as the key: every
 * lookup asks {@link ApiKeys#active} and ends the session of a revoked key. An operator's session
 * lives only as long as the operator key it was opened with (its SHA-256 is stored): once the key is
 * rotated, the old key's sessions end.
 */
@Repository
public class ConsoleSessions {

    static final Duration IDLE = Duration.ofMinutes(30);
    static final Duration LIFETIME = Duration.ofHours(12);

    private static final String INSERT = """
            insert into console_sessions (token_hash, tenant_id, key_id, role, operator_key_sha256, csrf_token,
                                          created_at, last_seen_at, expires_at)
            values (:hash, :tenant, :key, :role, :operator_key, :csrf, :now, :now, :expires)
            """;
    private static final String FIND = """
            select tenant_id, key_id, role, operator_key_sha256, csrf_token from console_sessions
            where token_hash = :hash and expires_at > :now and last_seen_at > :idle_since
            """;
    private static final String TOUCH = "update console_sessions set last_seen_at = :now where token_hash = :hash";
    private static final String END = "delete from console_sessions where token_hash = :hash";
    private static final String END_STALE = "delete from console_sessions where expires_at <= :now or last_seen_at <= :idle_since";

    private final JdbcClient jdbc;
    private final ApiKeys apiKeys;
    private final OperatorKey operatorKey;
    private final Clock clock;

    ConsoleSessions(JdbcClient jdbc, ApiKeys apiKeys, OperatorKey operatorKey, Clock clock) {
        this.jdbc = jdbc;
        this.apiKeys = apiKeys;
        this.operatorKey = operatorKey;
        this.clock = clock;
    }

    /** A signed-in user: who calls (as the API knows them) and the CSRF token their forms carry. */
    public record Session(Caller caller, String csrfToken) {

        /** What the pages call the user: the operator, or the role of their key. */
        public String label() {
            return switch (caller) {
                case Caller.Operator o -> "operator";
                case Caller.TenantKey k -> k.role().wire() + " · " + k.keyId();
            };
        }

        public boolean operator() {
            return caller instanceof Caller.Operator;
        }

        /** Whether the caller's role may approve, as {@code ApprovalController} requires: an approver key. */
        public boolean approver() {
            return caller instanceof Caller.TenantKey k && k.role() == Role.APPROVER;
        }
    }

    /** A new session: its token (for the cookie, shown nowhere else) and the session. */
    record Opened(String token, Session session) {}

    /** Opens a session for {@code caller}, a tenant key that is not an agent's, or the operator. */
    Opened open(Caller caller) {
        OffsetDateTime now = now();
        jdbc.sql(END_STALE).param("now", now).param("idle_since", now.minus(IDLE)).update();
        String token = "mwb_cs_" + Ids.random(48);
        String csrf = Ids.random(40);
        String tenant = caller instanceof Caller.TenantKey k ? k.tenantId() : null;
        String key = caller instanceof Caller.TenantKey k ? k.keyId() : null;
        String role = caller instanceof Caller.TenantKey k ? k.role().wire() : "operator";
        jdbc.sql(INSERT).param("hash", ApiKeys.hash(token)).param("tenant", tenant).param("key", key)
                .param("role", role).param("operator_key", tenant == null ? operatorKey.fingerprint() : null)
                .param("csrf", csrf).param("now", now).param("expires", now.plus(LIFETIME))
                .update();
        return new Opened(token, new Session(caller, csrf));
    }

    /**
     * The live session of {@code token}, its idle clock restarted; empty when it ended, its key was
     * revoked or, for the operator, the operator key is no longer the one it was opened with.
     */
    Optional<Session> find(String token) {
        String hash = ApiKeys.hash(token);
        OffsetDateTime now = now();
        Optional<Row> row = jdbc.sql(FIND).param("hash", hash).param("now", now)
                .param("idle_since", now.minus(IDLE))
                .query((rs, n) -> {
                    String role = rs.getString("role");
                    Caller caller = "operator".equals(role) ? new Caller.Operator()
                            : new Caller.TenantKey(rs.getString("tenant_id"), rs.getString("key_id"), Role.parse(role));
                    return new Row(new Session(caller, rs.getString("csrf_token")), rs.getString("operator_key_sha256"));
                }).optional();
        if (row.isPresent() && !openedWithALiveKey(row.get())) {
            end(token); // the key was revoked or rotated: so is every session it opened
            return Optional.empty();
        }
        Optional<Session> found = row.map(Row::session);
        found.ifPresent(s -> jdbc.sql(TOUCH).param("hash", hash).param("now", now).update());
        return found;
    }

    /** A stored session and, for the operator's, the fingerprint of the operator key that opened it. */
    private record Row(Session session, String operatorKeySha256) {}

    private boolean openedWithALiveKey(Row row) {
        return switch (row.session().caller()) {
            case Caller.Operator o -> operatorKey.fingerprint().equals(row.operatorKeySha256());
            case Caller.TenantKey k -> apiKeys.active(k.tenantId(), k.keyId());
        };
    }

    void end(String token) {
        jdbc.sql(END).param("hash", ApiKeys.hash(token)).update();
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }
}
