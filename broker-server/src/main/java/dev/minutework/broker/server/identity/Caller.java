package dev.minutework.broker.server.identity;

import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import java.util.Arrays;
import java.util.List;

/** The authenticated caller of one request. */
public sealed interface Caller {

    /** The platform operator. */
    record Operator() implements Caller {}

    /**
     * A tenant API key. {@code agent} is present exactly when the key is a runtime agent's
     * ({@link Role#AGENT}); it says what that agent may run.
     */
    record TenantKey(String tenantId, String keyId, Role role, Agent agent) implements Caller {

        public TenantKey(String tenantId, String keyId, Role role) {
            this(tenantId, keyId, role, null);
        }
    }

    /**
     * A runtime agent ({@code mw.runtime.agent}) behind a tenant key. {@code capabilities} holds
     * capability ids ({@code mw.connector.ads}: all its actions) and single actions
     * ({@code mw.connector.ads:ads.fetch_report}).
     */
    record Agent(String agentId, String name, List<String> capabilities, boolean mutating) {

        public Agent {
            capabilities = List.copyOf(capabilities);
        }

        /** Whether the agent's capability list covers this action (its mode is checked separately). */
        public boolean covers(String capability, String action) {
            return capabilities.contains(capability) || capabilities.contains(capability + ":" + action);
        }

        /** Whether the agent may run this action at all: covered, and read-only agents only read. */
        public boolean allows(String capability, String action, boolean mutatingAction) {
            return covers(capability, action) && (mutating || !mutatingAction);
        }
    }

    /** Refuses anyone but the operator. */
    default void requireOperator() {
        if (!(this instanceof Operator)) {
            throw new ApiException(ErrorCode.FORBIDDEN_ROLE, "this endpoint needs the operator key");
        }
    }

    /** Refuses anyone but a tenant key of one of {@code roles} (any tenant key when none are named). */
    default TenantKey requireTenant(Role... roles) {
        if (this instanceof TenantKey key) {
            if (roles.length == 0 || Arrays.asList(roles).contains(key.role())) {
                return key;
            }
            throw new ApiException(ErrorCode.FORBIDDEN_ROLE,
                    "this endpoint needs a key with role " + Arrays.stream(roles).map(Role::wire).toList());
        }
        throw new ApiException(ErrorCode.FORBIDDEN_ROLE, "this endpoint needs a tenant API key");
    }

    /** A short, secret-free name for receipts: an agent's receipts name the agent. */
    default String actor() {
        return switch (this) {
            case Operator o -> "operator";
            case TenantKey k when k.agent() != null -> "agent:" + k.agent().agentId();
            case TenantKey k -> k.keyId();
        };
    }
}
