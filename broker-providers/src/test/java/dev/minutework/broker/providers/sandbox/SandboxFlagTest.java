package dev.minutework.broker.providers.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.provider.ProviderAdapterFactory;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The broker routes and prefers adapters by {@link ProviderAdapterFactory#sandbox()}, not by their class. */
class SandboxFlagTest {

    @Test
    void onlyTheInProcessSandboxIsAStandIn() {
        for (ProviderAdapterFactory f : ServiceLoader.load(ProviderAdapterFactory.class)) {
            assertThat(f.sandbox()).as(f.id()).isEqualTo(f instanceof SandboxProviderFactory);
        }
        assertThat(new SandboxProviderFactory().sandbox()).isTrue();
    }
}
