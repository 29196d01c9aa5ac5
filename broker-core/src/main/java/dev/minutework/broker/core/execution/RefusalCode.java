package dev.minutework.broker.core.execution;

import java.util.Locale;

/**
 * Why the broker refuses a request on the tenant's state, as the API's error codes name it (the
 * server maps each to the API code of the same name; a test keeps them in step).
 */
public enum RefusalCode {
    /** a referenced object (campaign, group, creative) or the wallet does not exist */
    NOT_FOUND,
    /** the input is invalid for this tenant's objects: a reference to another provider's object, or a
     * campaign's currency changed */
    INVALID_INPUT,
    /** the provider cannot take the request at all (its adapter's capabilities): details name the
     * provider and the fields at fault */
    PROVIDER_UNSUPPORTED,
    /** the provider checked the request without carrying it out (a dry run) and would refuse it:
     * details name the provider, its code and the kind of refusal */
    PROVIDER_WOULD_REJECT,
    /** a readiness check failed */
    NOT_READY,
    /** no active authorization in the spend's currency, or a wallet in another currency */
    UNSUPPORTED_CURRENCY,
    /** a daily budget with neither an end nor an authorization expiry */
    UNBOUNDED_SPEND,
    /** over the authorization's cap or daily cap */
    BUDGET_EXCEEDED,
    /** over the wallet's available credits */
    INSUFFICIENT_CREDITS,
    /** another change of the campaign is at the provider or of unknown outcome */
    CAMPAIGN_BUSY,
    /** a kill switch covering the tenant at the provider is engaged: nothing mutating but a pause runs */
    KILL_SWITCH_ENGAGED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
