package dev.minutework.broker.core.provider;

/** One named readiness check an adapter ran against its provider. */
public record ProviderCheck(String name, boolean ok, String detail) {}
