package dev.minutework.broker.server.identity;

import java.util.Locale;

/** What a tenant API key may do. */
public enum Role {
    /** Runs actions (apps, agents). */
    RUNTIME,
    /** Approves or denies actions, issues standing grants. */
    APPROVER,
    /** Reads only. */
    VIEWER,
    /**
     * A runtime agent ({@code mw.runtime.agent}): runs only the capabilities and actions its agent
     * record allows, and only reads when the agent is read-only. Issued with the agent, never on
     * its own.
     */
    AGENT;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
