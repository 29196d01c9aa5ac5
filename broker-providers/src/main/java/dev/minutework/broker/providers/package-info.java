/** Provider adapters behind the core's SPI, one package per implementation. */
package dev.minutework.broker.providers;
