package dev.minutework.broker.server.accounts;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The credential and scope fields each provider's accounts carry (docs/providers.md, "Provider account fields"). */
final class ProviderFields {

    record Fields(Set<String> requiredCredentials, Set<String> optionalCredentials, Set<String> requiredScope,
            Set<String> optionalScope) {}

    static final Map<String, Fields> BY_PROVIDER = Map.of(
            "openaiads", new Fields(Set.of("api_key"), Set.of(), Set.of("ad_account_id"), Set.of()),
            "googleads", new Fields(Set.of("client_id", "client_secret", "refresh_token", "developer_token"), Set.of(),
                    Set.of("customer_id"), Set.of("login_customer_id")),
            "metaads", new Fields(Set.of("access_token", "app_secret"), Set.of(), Set.of("ad_account_id", "page_id"), Set.of()),
            "tiktokads", new Fields(Set.of("access_token"), Set.of(), Set.of("advertiser_id"), Set.of("identity_id")));

    /** The shape each provider gives its account identifiers (a scope value must match, or it names no account). */
    static final Map<String, Map<String, Pattern>> SCOPE_FORMAT = Map.of(
            "openaiads", Map.of("ad_account_id", Pattern.compile("act_[A-Za-z0-9_]{1,64}")),
            "googleads", Map.of("customer_id", Pattern.compile("\\d{10}"), "login_customer_id", Pattern.compile("\\d{10}")),
            "metaads", Map.of("ad_account_id", Pattern.compile("(act_)?\\d{1,20}"), "page_id", Pattern.compile("\\d{1,20}")),
            "tiktokads", Map.of("advertiser_id", Pattern.compile("\\d{1,20}")));

    /** How a scope value should look, for the error message. */
    static final Map<String, String> SCOPE_HINT = Map.of(
            "openaiads", "ad_account_id is act_ followed by letters or digits",
            "googleads", "customer ids are 10 digits without dashes",
            "metaads", "ad_account_id is act_<digits> (or the digits), page_id is digits",
            "tiktokads", "advertiser_id is digits");

    private ProviderFields() {}
}
