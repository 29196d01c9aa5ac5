/** Tenants and their API keys (operator endpoints). */
package dev.minutework.broker.server.tenants;
