package dev.minutework.broker.core.receipt;

import java.util.Map;
import java.util.Optional;

/**
 * Where the offline verifier checks the passkey evidence an approval receipt carries. Until the
 * passkey approvals land, no receipt carries any, and nothing is checked.
 */
final class PasskeyEvidenceCheck {

    private PasskeyEvidenceCheck() {}

    /** Why the entry's passkey evidence does not verify, or empty (also when it has none). */
    static Optional<String> problem(Map<String, Object> entry) {
        return Optional.empty();
    }
}
