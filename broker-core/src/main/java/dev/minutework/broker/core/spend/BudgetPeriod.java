package dev.minutework.broker.core.spend;

/** Whether a campaign budget is spent over the campaign's whole life or per day. */
public enum BudgetPeriod {
    LIFETIME, DAILY;

    public static BudgetPeriod parse(String s) {
        return switch (s) {
            case "lifetime" -> LIFETIME;
            case "daily" -> DAILY;
            default -> throw new IllegalArgumentException("budget period must be lifetime or daily: " + s);
        };
    }

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
