package dev.minutework.broker.core.money;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Objects;

/**
 * An amount in minor units (cents for USD) of an ISO-4217 currency.
 *
 * @param amountMinor amount in the currency's minor unit; may be negative only for deltas
 * @param currency ISO-4217 alphabetic code, upper case
 */
public record Money(long amountMinor, String currency) {

    /**
     * The largest amount, in minor units, that the broker accepts anywhere (a budget, a bid, a wallet
     * credit or debit, a spend cap or ceiling): 10<sup>12</sup>, i.e. 10,000,000,000.00 USD or
     * 1,000,000,000,000 JPY. Every amount up to it has micros ({@link #toMicros()}) in every ISO-4217
     * currency (at most 10<sup>18</sup>), and a daily amount times every day up to the year 9999
     * still fits a {@code long}, so no conversion of a validated amount can overflow.
     */
    public static final long MAX_AMOUNT_MINOR = 1_000_000_000_000L;

    public Money {
        Objects.requireNonNull(currency, "currency");
        exponentOf(currency); // validates the code
    }

    public static Money of(long amountMinor, String currency) {
        return new Money(amountMinor, currency);
    }

    public static Money zero(String currency) {
        return new Money(0, currency);
    }

    /** Number of decimal places of the currency's minor unit (2 for USD, 0 for JPY). */
    public static int exponentOf(String currency) {
        Currency c;
        try {
            c = Currency.getInstance(currency);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown ISO-4217 currency: " + currency, e);
        }
        int digits = c.getDefaultFractionDigits();
        if (digits < 0) {
            throw new IllegalArgumentException("currency has no minor unit: " + currency);
        }
        return digits;
    }

    public static boolean isKnownCurrency(String currency) {
        try {
            exponentOf(currency);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public Money plus(Money other) {
        requireSameCurrency(other);
        return new Money(Math.addExact(amountMinor, other.amountMinor), currency);
    }

    public Money minus(Money other) {
        requireSameCurrency(other);
        return new Money(Math.subtractExact(amountMinor, other.amountMinor), currency);
    }

    public boolean isZero() {
        return amountMinor == 0;
    }

    /** Micros (millionths of the major unit), as OpenAI and Google express budgets. */
    public long toMicros() {
        return Math.multiplyExact(amountMinor, pow10(6 - exponentOf(currency)));
    }

    /** Decimal major units, as TikTok expresses budgets. */
    public BigDecimal toMajor() {
        return BigDecimal.valueOf(amountMinor, exponentOf(currency));
    }

    private void requireSameCurrency(Money other) {
        if (!currency.equals(other.currency)) {
            throw new IllegalArgumentException("currency mismatch: " + currency + " vs " + other.currency);
        }
    }

    private static long pow10(int n) {
        long r = 1;
        for (int i = 0; i < n; i++) {
            r *= 10;
        }
        return r;
    }

    @Override
    public String toString() {
        return toMajor().toPlainString() + " " + currency;
    }
}
