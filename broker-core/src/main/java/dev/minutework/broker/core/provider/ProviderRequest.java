package dev.minutework.broker.core.provider;

import java.util.Map;

/**
 * One action for a provider, in the unified (provider-neutral) model.
 *
 * @param action the connector action, e.g. {@code ads.create_campaign}
 * @param brokerReference a broker-owned id for correlation (the execution id); adapters embed it
 *     where the provider lets them, so an unknown outcome can be reconciled by looking it up
 * @param input the validated unified input; references are broker ids
 * @param providerIds provider object ids the broker resolved from the input's broker ids, keyed by
 *     input field ({@code campaign_id}, {@code group_id}, {@code creative_id})
 * @param references the unified inputs the referenced objects were created with, keyed the same
 *     way (e.g. a creative's headline and landing URL, for providers whose ads embed the creative)
 */
public record ProviderRequest(String action, String brokerReference, Map<String, Object> input,
        Map<String, String> providerIds, Map<String, Map<String, Object>> references) {

    public ProviderRequest {
        input = Map.copyOf(input);
        providerIds = Map.copyOf(providerIds);
        references = Map.copyOf(references);
    }

    /** A request without referenced objects' inputs. */
    public ProviderRequest(String action, String brokerReference, Map<String, Object> input,
            Map<String, String> providerIds) {
        this(action, brokerReference, input, providerIds, Map.of());
    }
}
