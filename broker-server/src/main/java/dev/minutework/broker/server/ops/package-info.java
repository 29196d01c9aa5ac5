/**
 * What an operator needs to run the broker: the served API description ({@code /v3/api-docs}, the
 * repository's {@code docs/openapi.yaml} packaged into the jar, and its interactive view at
 * {@code /swagger-ui.html}), the landing of {@code /}, and the broker's Micrometer meters
 * ({@code broker_…}, scraped at {@code /actuator/prometheus}). It depends on no other package of
 * the server: the packages that act record into {@link dev.minutework.broker.server.ops.BrokerMetrics}.
 */
package dev.minutework.broker.server.ops;
