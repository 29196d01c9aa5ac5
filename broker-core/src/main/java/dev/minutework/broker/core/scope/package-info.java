/** Keeps provider account scope broker-owned: tenant input may never name it (invariant 4). */
package dev.minutework.broker.core.scope;
