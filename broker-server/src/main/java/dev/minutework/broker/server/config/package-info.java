/** Wiring: settings, the database (embedded or external), the clock. */
package dev.minutework.broker.server.config;
