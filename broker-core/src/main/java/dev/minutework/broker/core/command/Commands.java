package dev.minutework.broker.core.command;

import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.core.spend.BudgetPeriod;
import dev.minutework.broker.core.spend.CampaignBudget;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads an action's input into its {@link ExecuteCommand}, once, after the connector's JSON Schema
 * has accepted it: the semantic rules a schema cannot express (an end after the start and in the
 * future, known currencies, amounts within the broker's maximum, an age range in order, URLs with a
 * host and no credentials, report dates) are checked here, and a violation is a value, never an
 * exception.
 */
public final class Commands {

    private Commands() {}

    /** What parsing found: the command, or the fields that make it invalid. */
    public sealed interface Parsed {}

    /** The input is a valid command. */
    public record Valid(ExecuteCommand command) implements Parsed {}

    /** The input breaks the rules named. */
    public record Invalid(List<FieldError> errors) implements Parsed {
        public Invalid {
            errors = List.copyOf(errors);
        }
    }

    /** The actions this parser knows, by wire name. */
    public static final List<String> ACTIONS = List.of("ads.create_campaign", "ads.update_campaign",
            "ads.pause_campaign", "ads.create_group", "ads.create_creative", "ads.create_ad", "ads.fetch_report");

    /**
     * @param action the action's wire name (one of {@link #ACTIONS})
     * @param in the input, already accepted by the action's JSON Schema
     * @param now the current instant (from the injected clock): an end time must lie after it
     * @throws IllegalArgumentException for an action with no command type (a reserved one)
     */
    public static Parsed parse(String action, Map<String, Object> in, Instant now) {
        return parse(action, in, now, true);
    }

    /**
     * The command of an execution accepted earlier, from its stored input: its rules were checked
     * when it was accepted, and its times are not checked against the present again.
     *
     * @throws IllegalStateException when the stored input breaks a rule that does not depend on time
     */
    public static ExecuteCommand stored(String action, Map<String, Object> in) {
        return switch (parse(action, in, null, false)) {
            case Valid v -> v.command();
            case Invalid i -> throw new IllegalStateException("stored input of " + action + " is invalid: "
                    + i.errors());
        };
    }

    private static Parsed parse(String action, Map<String, Object> in, Instant now, boolean checkNow) {
        List<FieldError> errors = new ArrayList<>();
        Instant start = time(in, "start_time", errors);
        Instant end = time(in, "end_time", errors);
        if (start != null && end != null && !end.isAfter(start)) {
            errors.add(FieldError.input("end_time", "must be after start_time"));
        }
        if (checkNow && end != null && !end.isAfter(now)) {
            errors.add(FieldError.input("end_time", "must be in the future"));
        }
        for (String m : List.of("budget", "bid")) {
            if (in.get(m) instanceof Map<?, ?> money && money.get("currency") instanceof String c
                    && !Money.isKnownCurrency(c)) {
                errors.add(FieldError.input(m + ".currency", "must be an ISO-4217 currency code"));
            }
            // the schema says so too; kept here so that no adapter ever converts a larger amount
            if (in.get(m) instanceof Map<?, ?> money && money.get("amount_minor") instanceof Number n
                    && (n.doubleValue() > Money.MAX_AMOUNT_MINOR || n.doubleValue() < 1)) {
                errors.add(FieldError.input(m + ".amount_minor", "must be from 1 to " + Money.MAX_AMOUNT_MINOR));
            }
        }
        if (in.get("targeting") instanceof Map<?, ?> t && t.get("age_min") instanceof Number lo
                && t.get("age_max") instanceof Number hi && lo.intValue() > hi.intValue()) {
            errors.add(FieldError.input("targeting.age_min", "must not exceed age_max"));
        }
        if ("ads.create_creative".equals(action)) {
            texts(in, "headline", "headlines", errors);
            texts(in, "body", "descriptions", errors);
        }
        URI image = url(in, "image_url", errors);
        URI landing = url(in, "landing_url", errors);
        LocalDate since = null;
        LocalDate until = null;
        if ("ads.fetch_report".equals(action)) {
            try {
                if (!String.valueOf(in.get("since")).matches("\\d{4}-\\d{2}-\\d{2}")
                        || !String.valueOf(in.get("until")).matches("\\d{4}-\\d{2}-\\d{2}")) {
                    throw new DateTimeParseException("not YYYY-MM-DD", "", 0);
                }
                since = LocalDate.parse((String) in.get("since"));
                until = LocalDate.parse((String) in.get("until"));
                if (until.isBefore(since)) {
                    errors.add(FieldError.input("until", "must not be before since"));
                } else if (until.toEpochDay() - since.toEpochDay() > 366) {
                    errors.add(FieldError.input("until", "a report covers at most 367 days"));
                }
            } catch (DateTimeParseException e) {
                errors.add(FieldError.input("since", "since and until must be dates (YYYY-MM-DD)"));
            }
        }
        if (!errors.isEmpty()) {
            return new Invalid(errors);
        }
        String name = string(in, "name");
        ExecuteCommand command = switch (action) {
            case "ads.create_campaign" -> new ExecuteCommand.CreateCampaign(name, string(in, "objective"),
                    "active".equals(in.get("status")), budget(in.get("budget")), start, end);
            case "ads.update_campaign" -> new ExecuteCommand.UpdateCampaign(string(in, "campaign_id"), name,
                    active(in), in.get("budget") == null ? null : budget(in.get("budget")), end);
            case "ads.pause_campaign" -> new ExecuteCommand.PauseCampaign(string(in, "campaign_id"));
            case "ads.create_group" -> new ExecuteCommand.CreateGroup(string(in, "campaign_id"), name, active(in),
                    in.get("bid") instanceof Map<?, ?> bid ? money(bid) : null, targeting(in.get("targeting")));
            case "ads.create_creative" -> new ExecuteCommand.CreateCreative(name, texts(in, "headline", "headlines"),
                    texts(in, "body", "descriptions"), image, landing, string(in, "call_to_action"));
            case "ads.create_ad" -> new ExecuteCommand.CreateAd(string(in, "group_id"), string(in, "creative_id"), name,
                    active(in));
            case "ads.fetch_report" -> new ExecuteCommand.FetchReport(string(in, "campaign_id"), since, until,
                    "total".equals(in.get("granularity")));
            default -> throw new IllegalArgumentException("no command type for action " + action);
        };
        return new Valid(command);
    }

    /** A budget object as the schema shapes it: amount_minor, currency, period. */
    public static CampaignBudget budget(Object raw) {
        Map<?, ?> b = (Map<?, ?>) raw;
        return new CampaignBudget(money(b), BudgetPeriod.parse((String) b.get("period")));
    }

    private static Money money(Map<?, ?> m) {
        return Money.of(((Number) m.get("amount_minor")).longValue(), (String) m.get("currency"));
    }

    private static Boolean active(Map<String, Object> in) {
        return in.get("status") instanceof String s ? "active".equals(s) : null;
    }

    private static String string(Map<String, Object> in, String field) {
        return in.get(field) instanceof String s ? s : null;
    }

    /** A creative names its texts one way: a single {@code headline} or a {@code headlines} list, not both or neither. */
    private static void texts(Map<String, Object> in, String single, String list, List<FieldError> errors) {
        boolean one = in.get(single) != null;
        boolean many = in.get(list) != null;
        if (one && many) {
            errors.add(FieldError.input(list, "give " + single + " or " + list + ", not both"));
        } else if (!one && !many) {
            errors.add(FieldError.input(list, "is required (or a single " + single + ")"));
        } else if (many) {
            List<String> texts = strings(in.get(list));
            for (int i = 0; i < texts.size(); i++) {
                if (texts.indexOf(texts.get(i)) < i) {
                    errors.add(FieldError.input(list + "[" + i + "]", "repeats " + list + "[" + texts.indexOf(texts.get(i))
                            + "]"));
                }
            }
        }
    }

    private static List<String> texts(Map<String, Object> in, String single, String list) {
        return in.get(single) instanceof String s ? List.of(s) : strings(in.get(list));
    }

    private static ExecuteCommand.Targeting targeting(Object raw) {
        if (!(raw instanceof Map<?, ?> t)) {
            return ExecuteCommand.Targeting.NONE;
        }
        return new ExecuteCommand.Targeting(strings(t.get("countries")),
                t.get("age_min") instanceof Number n ? n.intValue() : null,
                t.get("age_max") instanceof Number n ? n.intValue() : null,
                strings(t.get("languages")), strings(t.get("context_hints")));
    }

    private static List<String> strings(Object raw) {
        return raw instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
    }

    private static URI url(Map<String, Object> in, String field, List<FieldError> errors) {
        if (!(in.get(field) instanceof String s)) {
            return null;
        }
        try {
            URI uri = URI.create(s);
            if (uri.getHost() == null || uri.getUserInfo() != null) {
                errors.add(FieldError.input(field, "must be an https URL with a host and no credentials"));
            }
            return uri;
        } catch (IllegalArgumentException e) {
            errors.add(FieldError.input(field, "must be an https URL"));
            return null;
        }
    }

    private static Instant time(Map<String, Object> in, String field, List<FieldError> errors) {
        if (!(in.get(field) instanceof String s)) {
            return null;
        }
        if (!s.matches("\\d{4}-.*")) { // four-digit years only, as RFC 3339 says: 0000 to 9999
            errors.add(FieldError.input(field, "must be an RFC 3339 date-time"));
            return null;
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            errors.add(FieldError.input(field, "must be an RFC 3339 date-time"));
            return null;
        }
    }
}
