package dev.minutework.broker.providers.http;

import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderAdapterFactory;
import java.net.URI;
import java.time.Duration;
import java.util.Set;

/**
 * Base of the factories of the real provider adapters: each serves the one provider key that is
 * its id, talks to the real provider, and shares one {@link ProviderHttp} among all accounts.
 */
public abstract class HttpAdapterFactory implements ProviderAdapterFactory {

    private final String id;
    private final URI defaultBaseUrl;
    protected final ProviderHttp http;

    protected HttpAdapterFactory(String id, URI defaultBaseUrl) {
        this(id, defaultBaseUrl, new ProviderHttp());
    }

    protected HttpAdapterFactory(String id, URI defaultBaseUrl, ProviderHttp http) {
        this.id = id;
        this.defaultBaseUrl = defaultBaseUrl;
        this.http = http;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final Set<String> providerKeys() {
        return Set.of(id);
    }

    @Override
    public final boolean real() {
        return true;
    }

    /**
     * {@link #protocolCallsInSequence()} protocol calls of {@link Calls}, each at its worst
     * ({@link Calls#worstCase}) with this factory's exchanges ({@link ProviderHttp#worstCaseExchange()}).
     */
    @Override
    public Duration worstCaseCallDuration() {
        return Calls.worstCase(http.worstCaseExchange(), Calls.FIRST_BACKOFF).multipliedBy(protocolCallsInSequence());
    }

    /**
     * How many protocol calls one adapter call makes one after the other on its longest ordinary path:
     * by default two (a create and the lookup by reference after its answer was lost; an update's
     * read and its write). A call that needs more (many pages, repeated lookups) is cut short at
     * {@link #worstCaseCallDuration()} by the broker and ends unknown.
     */
    protected int protocolCallsInSequence() {
        return 2;
    }

    /** The account's base URL (a simulator, a proxy), else the provider's. */
    protected URI baseUrl(ProviderAccountContext account) {
        return account.baseUrl() == null ? defaultBaseUrl : URI.create(account.baseUrl());
    }
}
