package dev.minutework.broker.providers.sandbox;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** In-memory provider state, one {@link Account} per broker provider account id. */
final class SandboxLedger {

    record StoredObject(String id, String action, String status) {
        StoredObject withStatus(String s) {
            return new StoredObject(id, action, s);
        }
    }

    record Account(Map<String, StoredObject> objects, Map<String, StoredObject> byReference, AtomicLong ids,
            SandboxFaults faults) {
        long nextId() {
            return ids.incrementAndGet();
        }
    }

    private final Map<String, Account> accounts = new ConcurrentHashMap<>();

    Account account(String accountId) {
        return accounts.computeIfAbsent(accountId, id -> new Account(new ConcurrentHashMap<>(),
                new ConcurrentHashMap<>(), new AtomicLong(), new SandboxFaults()));
    }
}
