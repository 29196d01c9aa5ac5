package dev.minutework.broker.core.connector;

import java.util.List;
import java.util.Optional;

/**
 * A connector capability: id, version, actions and the provider keys that route it.
 *
 * @param providers provider keys; a key is a routing key, not a promise that it is live
 */
public record ConnectorManifest(String id, String version, String title, String defaultProvider,
        List<String> providers, List<ActionSpec> actions) {

    public ConnectorManifest {
        providers = List.copyOf(providers);
        actions = List.copyOf(actions);
    }

    public Optional<ActionSpec> action(String name) {
        return actions.stream().filter(a -> a.name().equals(name)).findFirst();
    }
}
