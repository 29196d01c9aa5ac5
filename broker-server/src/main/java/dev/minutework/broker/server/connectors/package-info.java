/** The connector catalog: manifests loaded once from the core's resources, and action input validation. */
package dev.minutework.broker.server.connectors;
