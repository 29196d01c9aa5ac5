package dev.minutework.broker.core.provider;

import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.command.FieldError;
import dev.minutework.broker.core.spend.BudgetPeriod;
import dev.minutework.broker.core.spend.CampaignBudget;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What one provider implementation can take, declared as data by its
 * {@link ProviderAdapterFactory}: budget periods, currencies, objectives, group targeting, creative
 * limits and feature flags. The broker refuses a request that does not fit ({@code
 * provider_unsupported}) before anyone is asked to approve it, and shows these facts in the runtime's
 * capability inventory and the agent tools, so nobody discovers a provider's rule after a human
 * decided.
 *
 * @param budgetPeriods the campaign budget periods the provider has
 * @param currencies the ISO-4217 codes an account of the provider can bill in; empty means any
 *     currency the broker knows (the account's own currency is still checked by the adapter)
 * @param objectives the neutral campaign objectives ({@code awareness}, {@code traffic}, …) the
 *     adapter maps; a campaign without an objective is always accepted
 * @param targeting what an ad group's targeting may name
 * @param creatives the shape of a creative the provider accepts
 * @param features the remaining yes/no facts
 */
public record ProviderCapabilities(Set<BudgetPeriod> budgetPeriods, Set<String> currencies, Set<String> objectives,
        Targeting targeting, Creatives creatives, Set<Feature> features) {

    /** Every neutral objective of {@code mw.connector.ads}, in the schema's order. */
    public static final List<String> ALL_OBJECTIVES = List.of("awareness", "traffic", "engagement", "leads",
            "app_promotion", "sales");

    public ProviderCapabilities {
        budgetPeriods = ordered(budgetPeriods, BudgetPeriod.class);
        currencies = Set.copyOf(currencies);
        objectives = Set.copyOf(objectives);
        features = ordered(features, Feature.class);
    }

    /** An unmodifiable copy that iterates in the enum's order (what the declaration shows is stable). */
    private static <E extends Enum<E>> Set<E> ordered(Set<E> values, Class<E> type) {
        EnumSet<E> copy = EnumSet.noneOf(type);
        copy.addAll(values);
        return java.util.Collections.unmodifiableSet(copy);
    }

    /** Yes/no facts of an implementation. */
    public enum Feature {
        /** Creatives exist at the provider on their own, before an ad uses them. */
        STANDALONE_CREATIVE,
        /** Spend reports ({@code ads.fetch_report}). */
        REPORTS,
        /** An unknown outcome can be settled by looking the object up by the broker's reference. */
        RECONCILE_BY_REFERENCE,
        /** The provider deduplicates retried creates by a client key. */
        IDEMPOTENCY_KEYS,
        /** An existing campaign's end time can be moved (so the broker can bring it forward to its authorization's end). */
        CAMPAIGN_END_TIME_UPDATE,
        /**
         * The provider checks a request without carrying it out (Google's {@code validateOnly}, Meta's
         * {@code execution_options=["validate_only"]}): the broker asks it before an approver is asked.
         */
        DRY_RUN
    }

    /** Kinds of ad group targeting of the neutral schema. */
    public enum TargetingKind {
        COUNTRIES("countries"), LANGUAGES("languages"), AGE("age_min/age_max"), CONTEXT_HINTS("context_hints");

        private final String fields;

        TargetingKind(String fields) {
            this.fields = fields;
        }

        /** The neutral field(s) of the kind. */
        public String fields() {
            return fields;
        }
    }

    /**
     * What an ad group's targeting may name.
     *
     * @param kinds the kinds the provider maps; any other kind is refused
     * @param countries the ISO 3166 country codes the adapter can map; empty means any
     * @param languages the ISO 639-1 language codes the adapter can map; empty means any
     * @param ageMins the values {@code age_min} may take (the lower edges of the provider's age
     *     brackets); empty means any from 13 to 65
     * @param ageMaxes the values {@code age_max} may take; empty means any
     * @param countriesRequired whether a group must name at least one country
     * @param note where the provider applies targeting differently from the neutral model (e.g. at
     *     the campaign rather than the group); null when it does not
     */
    public record Targeting(Set<TargetingKind> kinds, Set<String> countries, Set<String> languages,
            Set<Integer> ageMins, Set<Integer> ageMaxes, boolean countriesRequired, String note) {
        public Targeting {
            kinds = ordered(kinds, TargetingKind.class);
            countries = Set.copyOf(countries);
            languages = Set.copyOf(languages);
            ageMins = Set.copyOf(ageMins);
            ageMaxes = Set.copyOf(ageMaxes);
        }

        /** Targeting the provider does not have at all. */
        public static final Targeting NONE = new Targeting(Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), false,
                null);

        /** Every kind, any value: what an in-process stand-in takes. */
        public static final Targeting ANY = new Targeting(EnumSet.allOf(TargetingKind.class), Set.of(), Set.of(),
                Set.of(), Set.of(), false, null);
    }

    /**
     * The shape of a creative the provider accepts. Counts are of the neutral {@code headlines} and
     * {@code descriptions} (a single {@code headline} or {@code body} counts as one).
     *
     * @param minHeadlines the fewest headlines (0 when the provider shows none)
     * @param maxHeadlines the most headlines
     * @param headlineLength the longest headline, in characters
     * @param minDescriptions the fewest descriptions
     * @param maxDescriptions the most descriptions
     * @param descriptionLength the longest description, in characters
     * @param callsToAction the neutral calls to action the provider shows; empty when it shows none
     *     (a creative naming one is refused)
     */
    public record Creatives(int minHeadlines, int maxHeadlines, int headlineLength, int minDescriptions,
            int maxDescriptions, int descriptionLength, Set<String> callsToAction) {
        /** What the neutral schema allows: 1 to 15 headlines of 50 characters, 1 to 5 descriptions of 100, every call to action. */
        public static final Creatives NEUTRAL = new Creatives(1, 15, 50, 1, 5, 100, Set.of("learn_more", "shop_now",
                "sign_up", "download", "contact_us", "book_now"));

        public Creatives {
            callsToAction = Set.copyOf(callsToAction);
            if (minHeadlines < 0 || maxHeadlines < minHeadlines || minDescriptions < 0
                    || maxDescriptions < minDescriptions || headlineLength < 1 || descriptionLength < 1) {
                throw new IllegalArgumentException("creative limits out of order");
            }
        }
    }

    /** Everything the neutral schema allows: what an in-process stand-in (the sandbox) takes. */
    public static final ProviderCapabilities ANY = new ProviderCapabilities(EnumSet.allOf(BudgetPeriod.class),
            Set.of(), Set.copyOf(ALL_OBJECTIVES), Targeting.ANY, Creatives.NEUTRAL,
            EnumSet.complementOf(EnumSet.of(Feature.DRY_RUN)));

    /** Nothing at all: what the broker assumes of a provider it has no implementation for. */
    public static final ProviderCapabilities NONE = new ProviderCapabilities(Set.of(), Set.of(), Set.of(),
            Targeting.NONE, new Creatives(0, 0, 1, 0, 0, 1, Set.of()), Set.of());

    /** The same declaration without these budget periods. */
    public ProviderCapabilities withoutPeriods(BudgetPeriod... periods) {
        EnumSet<BudgetPeriod> left = EnumSet.allOf(BudgetPeriod.class);
        left.retainAll(budgetPeriods);
        List.of(periods).forEach(left::remove);
        return new ProviderCapabilities(left, currencies, objectives, targeting, creatives, features);
    }

    /** The same declaration without these features. */
    public ProviderCapabilities without(Feature... removed) {
        EnumSet<Feature> left = EnumSet.noneOf(Feature.class);
        left.addAll(features);
        List.of(removed).forEach(left::remove);
        return new ProviderCapabilities(budgetPeriods, currencies, objectives, targeting, creatives, left);
    }

    /** Whether the implementation has the feature. */
    public boolean has(Feature feature) {
        return features.contains(feature);
    }

    /**
     * The fields of a command this provider cannot take, each named with why; empty when it fits.
     * Only what the declaration says: the account's own facts (its currency, its page) are the
     * adapter's to check.
     */
    public List<FieldError> misfits(ExecuteCommand command, String provider) {
        List<FieldError> errors = new ArrayList<>();
        switch (command) {
            case ExecuteCommand.CreateCampaign c -> {
                budget(c.budget(), provider, errors);
                if (c.objective() != null && !objectives.contains(c.objective())) {
                    errors.add(FieldError.input("objective", provider + " takes objectives " + sorted(objectives)
                            + ", not " + c.objective()));
                }
            }
            case ExecuteCommand.UpdateCampaign u -> {
                if (u.budget() != null) {
                    budget(u.budget(), provider, errors);
                }
                if (u.end() != null && !has(Feature.CAMPAIGN_END_TIME_UPDATE)) {
                    errors.add(FieldError.input("end_time", provider + " cannot move an existing campaign's end time"));
                }
            }
            case ExecuteCommand.CreateGroup g -> {
                if (g.bid() != null) {
                    currency(g.bid().currency(), "bid.currency", provider, errors);
                }
                targeting(g.targeting(), provider, errors);
            }
            case ExecuteCommand.CreateCreative c -> creative(c, provider, errors);
            case ExecuteCommand.FetchReport r -> {
                if (!has(Feature.REPORTS)) {
                    errors.add(new FieldError("$.action", provider + " has no reports"));
                }
            }
            default -> { }
        }
        return errors;
    }

    private void budget(CampaignBudget budget, String provider, List<FieldError> errors) {
        if (!budgetPeriods.contains(budget.period())) {
            errors.add(FieldError.input("budget.period", provider + " does not take " + budget.period().wire()
                    + " budgets" + (budgetPeriods.isEmpty() ? "" : " (it takes "
                    + budgetPeriods.stream().map(BudgetPeriod::wire).sorted().toList() + ")")));
        }
        currency(budget.amount().currency(), "budget.currency", provider, errors);
    }

    private void currency(String currency, String field, String provider, List<FieldError> errors) {
        if (!currencies.isEmpty() && !currencies.contains(currency)) {
            errors.add(FieldError.input(field, provider + " accounts bill in " + sorted(currencies) + ", not "
                    + currency));
        }
    }

    private void targeting(ExecuteCommand.Targeting t, String provider, List<FieldError> errors) {
        Targeting can = targeting;
        if (!t.countries().isEmpty()) {
            if (!can.kinds().contains(TargetingKind.COUNTRIES)) {
                errors.add(FieldError.input("targeting.countries", provider + " cannot target countries"));
            } else {
                unknown(t.countries(), can.countries(), "targeting.countries", provider + " cannot target",
                        errors);
            }
        } else if (can.countriesRequired()) {
            errors.add(FieldError.input("targeting.countries", provider + " needs at least one country"));
        }
        if (!t.languages().isEmpty()) {
            if (!can.kinds().contains(TargetingKind.LANGUAGES)) {
                errors.add(FieldError.input("targeting.languages", provider + " cannot target languages"));
            } else {
                unknown(t.languages(), can.languages(), "targeting.languages", provider + " cannot target",
                        errors);
            }
        }
        if (t.ageMin() != null || t.ageMax() != null) {
            if (!can.kinds().contains(TargetingKind.AGE)) {
                errors.add(FieldError.input(t.ageMin() != null ? "targeting.age_min" : "targeting.age_max",
                        provider + " cannot target ages"));
            } else {
                if (t.ageMin() != null && !can.ageMins().isEmpty() && !can.ageMins().contains(t.ageMin())) {
                    errors.add(FieldError.input("targeting.age_min", provider + " age brackets start at "
                            + sorted(can.ageMins()) + ", not " + t.ageMin()));
                }
                if (t.ageMax() != null && !can.ageMaxes().isEmpty() && !can.ageMaxes().contains(t.ageMax())) {
                    errors.add(FieldError.input("targeting.age_max", provider + " age brackets end at "
                            + sorted(can.ageMaxes()) + ", not " + t.ageMax()));
                }
            }
        }
        if (!t.contextHints().isEmpty() && !can.kinds().contains(TargetingKind.CONTEXT_HINTS)) {
            errors.add(FieldError.input("targeting.context_hints", provider + " has no context hints"));
        }
    }

    private static void unknown(List<String> asked, Set<String> known, String field, String what,
            List<FieldError> errors) {
        if (known.isEmpty()) {
            return;
        }
        SortedSet<String> missing = new TreeSet<>(asked);
        missing.removeAll(known);
        if (!missing.isEmpty()) {
            errors.add(FieldError.input(field, what + " " + missing));
        }
    }

    private void creative(ExecuteCommand.CreateCreative c, String provider, List<FieldError> errors) {
        Creatives can = creatives;
        count(c.headlines(), can.minHeadlines(), can.maxHeadlines(), can.headlineLength(), "headlines", provider,
                errors);
        count(c.descriptions(), can.minDescriptions(), can.maxDescriptions(), can.descriptionLength(),
                "descriptions", provider, errors);
        if (c.callToAction() != null && !can.callsToAction().contains(c.callToAction())) {
            errors.add(FieldError.input("call_to_action", can.callsToAction().isEmpty()
                    ? provider + " shows no call to action"
                    : provider + " shows calls to action " + sorted(can.callsToAction()) + ", not "
                            + c.callToAction()));
        }
    }

    private static void count(List<String> texts, int min, int max, int length, String field, String provider,
            List<FieldError> errors) {
        if (texts.size() < min || texts.size() > max) {
            errors.add(FieldError.input(field, provider + " takes " + (min == max ? String.valueOf(min)
                    : min + " to " + max) + " " + field + ", not " + texts.size()));
        }
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).codePointCount(0, texts.get(i).length()) > length) {
                errors.add(FieldError.input(field + "[" + i + "]", provider + " takes " + field + " of at most "
                        + length + " characters"));
            }
        }
    }

    private static <T extends Comparable<T>> List<T> sorted(Collection<T> values) {
        return new TreeSet<>(values).stream().toList();
    }

    /** The declaration as JSON-ready data, for the capability inventory and the agent tools. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("budget_periods", budgetPeriods.stream().map(BudgetPeriod::wire).sorted().toList());
        m.put("currencies", currencies.isEmpty() ? "any" : sorted(currencies));
        m.put("objectives", ALL_OBJECTIVES.stream().filter(objectives::contains).toList());
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("kinds", targeting.kinds().stream().map(TargetingKind::fields).toList());
        if (targeting.kinds().contains(TargetingKind.COUNTRIES)) {
            t.put("countries", targeting.countries().isEmpty() ? "any" : sorted(targeting.countries()));
            t.put("countries_required", targeting.countriesRequired());
        }
        if (targeting.kinds().contains(TargetingKind.LANGUAGES)) {
            t.put("languages", targeting.languages().isEmpty() ? "any" : sorted(targeting.languages()));
        }
        if (targeting.kinds().contains(TargetingKind.AGE)) {
            t.put("age_min", targeting.ageMins().isEmpty() ? "13 to 65" : sorted(targeting.ageMins()));
            t.put("age_max", targeting.ageMaxes().isEmpty() ? "13 to 65" : sorted(targeting.ageMaxes()));
        }
        if (targeting.note() != null) {
            t.put("note", targeting.note());
        }
        m.put("targeting", t);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("headlines", Map.of("min", creatives.minHeadlines(), "max", creatives.maxHeadlines(), "max_length",
                creatives.headlineLength()));
        c.put("descriptions", Map.of("min", creatives.minDescriptions(), "max", creatives.maxDescriptions(),
                "max_length", creatives.descriptionLength()));
        c.put("calls_to_action", sorted(creatives.callsToAction()));
        m.put("creatives", c);
        m.put("features", features.stream().map(f -> f.name().toLowerCase(java.util.Locale.ROOT)).sorted().toList());
        return m;
    }

    /** One line for a tool description: what differs from the neutral schema. */
    public String summary(String provider) {
        StringBuilder s = new StringBuilder(provider).append(": budgets ")
                .append(budgetPeriods.stream().map(BudgetPeriod::wire).sorted().toList());
        if (!currencies.isEmpty()) {
            s.append(", currencies ").append(sorted(currencies));
        }
        s.append(", objectives ").append(ALL_OBJECTIVES.stream().filter(objectives::contains).toList());
        s.append(", targeting ").append(targeting.kinds().stream().map(TargetingKind::fields).toList());
        if (targeting.countriesRequired()) {
            s.append(" (countries required)");
        }
        s.append(", creatives ").append(creatives.minHeadlines()).append('-').append(creatives.maxHeadlines())
                .append(" headlines of <=").append(creatives.headlineLength()).append(" chars, ")
                .append(creatives.minDescriptions()).append('-').append(creatives.maxDescriptions())
                .append(" descriptions of <=").append(creatives.descriptionLength()).append(" chars");
        s.append(creatives.callsToAction().isEmpty() ? ", no call to action" : ", calls to action "
                + sorted(creatives.callsToAction()));
        if (!has(Feature.REPORTS)) {
            s.append(", no reports");
        }
        if (has(Feature.DRY_RUN)) {
            s.append(", checked by the provider before approval");
        }
        return s.append('.').toString();
    }
}
