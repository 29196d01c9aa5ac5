package dev.minutework.broker.core.provider;

import dev.minutework.broker.core.command.ExecuteCommand;
import java.util.Map;
import java.util.Objects;

/**
 * One action for a provider, in the unified (provider-neutral) model: the typed command, parsed
 * once from the validated input by {@link dev.minutework.broker.core.command.Commands#parse}.
 * Adapters switch on the command's type and read its typed fields; they never see the input map.
 *
 * @param command the action and its typed input; its references ({@code campaignId}, {@code groupId},
 *     {@code creativeId}) are broker ids
 * @param brokerReference a broker-owned id for correlation (the execution id); adapters embed it
 *     where the provider lets them, so an unknown outcome can be reconciled by looking it up
 * @param providerIds provider object ids the broker resolved from the command's broker ids, keyed by
 *     input field ({@code campaign_id}, {@code group_id}, {@code creative_id})
 * @param references the commands the referenced objects were created with, keyed the same way:
 *     {@code campaign_id} → the {@link ExecuteCommand.CreateCampaign}, {@code group_id} → the
 *     {@link ExecuteCommand.CreateGroup}, {@code creative_id} → the {@link ExecuteCommand.CreateCreative}
 *     (e.g. a creative's headline and landing URL, for providers whose ads embed the creative, or a
 *     campaign's schedule, for providers whose ad groups carry it)
 */
public record ProviderRequest(ExecuteCommand command, String brokerReference, Map<String, String> providerIds,
        Map<String, ExecuteCommand> references) {

    public ProviderRequest {
        Objects.requireNonNull(command, "command");
        providerIds = Map.copyOf(providerIds);
        references = Map.copyOf(references);
    }

    /** A request without referenced objects' commands. */
    public ProviderRequest(ExecuteCommand command, String brokerReference, Map<String, String> providerIds) {
        this(command, brokerReference, providerIds, Map.of());
    }

    /** The connector action's wire name, e.g. {@code ads.create_campaign}: the command's. */
    public String action() {
        return command.action();
    }

    /**
     * The command the object the input names by {@code field} was created with, if there is one of
     * {@code type}; else null.
     */
    public <C extends ExecuteCommand> C reference(String field, Class<C> type) {
        return references.get(field) instanceof ExecuteCommand c && type.isInstance(c) ? type.cast(c) : null;
    }
}
