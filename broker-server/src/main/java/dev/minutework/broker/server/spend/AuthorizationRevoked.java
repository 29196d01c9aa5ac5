package dev.minutework.broker.server.spend;

/** Published once a spend authorization's revocation has committed. */
public record AuthorizationRevoked(String tenantId, String authorizationId) {}
