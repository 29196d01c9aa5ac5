package dev.minutework.broker.server.mcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The part of a provider's declared capabilities (preflight's {@code capabilities}) that concerns
 * one action, as a sentence per provider for the action's tool description: an agent learns, before
 * it asks, what each provider takes — and that the rest is refused before any approval.
 */
final class ProviderNotes {

    private ProviderNotes() {}

    /** The notes for {@code action}, or an empty string when no provider declares anything for it. */
    static String forAction(String action, Map<String, Map<String, Object>> byProvider) {
        List<String> lines = new ArrayList<>();
        byProvider.forEach((provider, c) -> {
            String note = note(action, c);
            if (note != null) {
                lines.add(provider + ": " + note);
            }
        });
        if (lines.isEmpty()) {
            return "";
        }
        return " Per provider (anything else is refused with provider_unsupported before approval): "
                + String.join("; ", lines) + ".";
    }

    private static String note(String action, Map<String, Object> c) {
        return switch (action) {
            case "ads.create_campaign" -> "budgets " + c.get("budget_periods") + ", objectives " + c.get("objectives")
                    + ", currencies " + c.get("currencies") + dryRun(c);
            case "ads.update_campaign" -> "budgets " + c.get("budget_periods")
                    + (features(c).contains("campaign_end_time_update") ? "" : ", end_time cannot be moved") + dryRun(c);
            case "ads.create_group" -> targeting(c) + dryRun(c);
            case "ads.create_creative" -> creatives(c) + dryRun(c);
            case "ads.fetch_report" -> features(c).contains("reports") ? null : "no reports";
            default -> null;
        };
    }

    private static String dryRun(Map<String, Object> c) {
        return features(c).contains("dry_run") ? " (checked by the provider before approval)" : "";
    }

    private static List<?> features(Map<String, Object> c) {
        return c.get("features") instanceof List<?> l ? l : List.of();
    }

    private static String targeting(Map<String, Object> c) {
        if (!(c.get("targeting") instanceof Map<?, ?> t) || !(t.get("kinds") instanceof List<?> kinds)) {
            return "no targeting";
        }
        StringBuilder s = new StringBuilder(kinds.isEmpty() ? "no targeting" : "targeting " + kinds);
        if (Boolean.TRUE.equals(t.get("countries_required"))) {
            s.append(", countries required");
        }
        if (t.get("countries") instanceof List<?> countries) {
            s.append(", countries ").append(countries);
        }
        if (t.get("languages") instanceof List<?> languages) {
            s.append(", languages ").append(languages);
        }
        if (t.get("age_min") instanceof List<?> mins) {
            s.append(", age_min ").append(mins).append(" and age_max ").append(t.get("age_max"));
        }
        if (t.get("note") instanceof String note) {
            s.append(" (").append(note).append(')');
        }
        return s.toString();
    }

    private static String creatives(Map<String, Object> c) {
        if (!(c.get("creatives") instanceof Map<?, ?> cr)) {
            return null;
        }
        return count(cr.get("headlines"), "headlines") + ", " + count(cr.get("descriptions"), "descriptions")
                + (cr.get("calls_to_action") instanceof List<?> ctas && !ctas.isEmpty()
                        ? ", calls to action " + ctas : ", no call to action");
    }

    private static String count(Object limits, String what) {
        if (!(limits instanceof Map<?, ?> m)) {
            return what;
        }
        Object min = m.get("min");
        Object max = m.get("max");
        String noun = Integer.valueOf(1).equals(max) ? what.substring(0, what.length() - 1) : what;
        return (min.equals(max) ? String.valueOf(min) : min + "-" + max) + " " + noun + " of at most "
                + m.get("max_length") + " characters";
    }
}
