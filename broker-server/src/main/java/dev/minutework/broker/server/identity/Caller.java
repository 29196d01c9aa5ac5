package dev.minutework.broker.server.identity;

import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import java.util.Arrays;

/** The authenticated caller of one request. */
public sealed interface Caller {

    /** The platform operator. */
    record Operator() implements Caller {}

    /** A tenant API key. */
    record TenantKey(String tenantId, String keyId, Role role) implements Caller {}

    /** Refuses anyone but the operator. */
    default void requireOperator() {
        if (!(this instanceof Operator)) {
            throw new ApiException(ErrorCode.FORBIDDEN_ROLE, "this endpoint needs the operator key");
        }
    }

    /** Refuses anyone but a tenant key of one of {@code roles}. */
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

    /** A short, secret-free name for receipts. */
    default String actor() {
        return switch (this) {
            case Operator o -> "operator";
            case TenantKey k -> k.keyId();
        };
    }
}
