/** Connector manifests: the one description of a connector's actions and schemas. */
package dev.minutework.broker.core.connector;
