/** The broker's Spring Boot application: HTTP API, persistence, security. One package per feature. */
package dev.minutework.broker.server;
