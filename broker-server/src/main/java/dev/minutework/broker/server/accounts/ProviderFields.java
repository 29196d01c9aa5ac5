package dev.minutework.broker.server.accounts;

import java.util.Map;
import java.util.Set;

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

    private ProviderFields() {}
}
