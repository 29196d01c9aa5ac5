package dev.minutework.broker.server.runtime;

import dev.minutework.broker.server.identity.Caller;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The platform broker as the runtime reaches it: only the tenant-level operations of its API.
 * Embedded mode calls the platform's services in process ({@link EmbeddedPlatform}); runtime mode
 * ({@code BROKER_ROLE=runtime}) calls the platform's HTTP API ({@link RemotePlatform}). Either way
 * the platform authorizes and receipts each call as the runtime's caller, whose key is forwarded:
 * agents' limits are enforced, and their receipts name them, where the keys live.
 * Refusals surface as {@link dev.minutework.broker.server.api.ApiException}s with the platform's code.
 */
public interface Platform {

    /** The caller a presented key authenticates, if any. */
    Optional<Caller.TenantKey> identify(String bearer);

    /** {@code integration_broker.execute}. */
    Answer execute(Asker asker, Map<String, Object> body);

    /** One execution as {@code GET /v1/executions/{id}} shows it. */
    Map<String, Object> execution(Asker asker, String executionId);

    /** Preflight of one provider as {@code GET /v1/integration-broker/preflight} shows it. */
    Map<String, Object> preflight(Asker asker, String provider);

    /**
     * What a provider can take, as its adapter declares it (preflight's {@code capabilities}), or
     * null when no adapter serves it. By default read from preflight; an implementation that can
     * read it without running the checks does.
     */
    @SuppressWarnings("unchecked")
    default Map<String, Object> capabilities(Asker asker, String provider) {
        return preflight(asker, provider).get("capabilities") instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    /** Records a reported capability gap; answers the gap as the tenant sees it. */
    Map<String, Object> reportGap(Asker asker, Map<String, Object> report);

    /** The tenant's own gaps. */
    List<Map<String, Object>> gaps(Asker asker);

    /** The platform's answer to an execute: status, execution view, whether it was a replay. */
    record Answer(int status, Map<String, Object> body, boolean replayed) {}

    /**
     * Who asks: the authenticated caller and the key it presented, forwarded to a remote platform.
     * The key never appears in {@link #toString()}.
     */
    record Asker(Caller.TenantKey key, String bearer) {
        @Override
        public String toString() {
            return "Asker[" + key.keyId() + "]";
        }
    }
}
