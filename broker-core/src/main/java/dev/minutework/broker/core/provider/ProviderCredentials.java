package dev.minutework.broker.core.provider;

import java.util.Map;
import java.util.Set;

/**
 * Decrypted provider credentials, alive only for one call. {@link #toString()} never shows a value,
 * so a credential cannot reach a log through string conversion.
 */
public final class ProviderCredentials {

    private final Map<String, String> values;

    public ProviderCredentials(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** The value of one credential field, or {@code null}. */
    public String get(String name) {
        return values.get(name);
    }

    public Set<String> names() {
        return values.keySet();
    }

    @Override
    public String toString() {
        return "ProviderCredentials" + values.keySet() + "(redacted)";
    }
}
