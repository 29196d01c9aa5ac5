package dev.minutework.broker.server.console;

import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import java.math.BigDecimal;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * How the console's templates write money, times and gauges ({@code ${@consoleFormat.money(…)}}).
 * Money stays {@code long} minor units until it is written: {@code 50000} USD reads "500.00 USD".
 */
@Component("consoleFormat")
public class ConsoleFormat {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'");

    public String money(Long minor, String currency) {
        if (minor == null) {
            return "—";
        }
        int digits = digits(currency);
        DecimalFormat f = new DecimalFormat(digits == 0 ? "#,##0" : "#,##0." + "0".repeat(digits),
                DecimalFormatSymbols.getInstance(Locale.ROOT));
        return f.format(BigDecimal.valueOf(minor, digits)) + (currency == null ? "" : " " + currency);
    }

    public String time(OffsetDateTime t) {
        return t == null ? "—" : t.withOffsetSameInstant(ZoneOffset.UTC).format(TIME);
    }

    /** An RFC 3339 time as the API serves it, shown as {@link #time(OffsetDateTime)} shows it. */
    public String time(String rfc3339) {
        return rfc3339 == null ? "—" : time(OffsetDateTime.parse(rfc3339));
    }

    /** A value of an API view (an execution's result or error) as indented JSON. */
    public String json(Object value) {
        return value == null ? "—" : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    }

    /**
     * An amount typed in major units ({@code 300}, {@code 300.5}, {@code 1,250.00}) as minor units of
     * {@code currency}; more decimals than the currency has, a negative or a non-number is
     * {@code invalid_input}.
     */
    static long minorUnits(String typed, String currency) {
        int digits = digits(currency);
        try {
            BigDecimal amount = new BigDecimal(typed.strip().replace(",", ""));
            if (amount.signum() <= 0 || amount.scale() > digits) {
                throw new NumberFormatException();
            }
            return amount.movePointRight(digits).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ApiException(ErrorCode.INVALID_INPUT, "spend ceiling: a positive amount in " + currency
                    + " with at most " + digits + " decimals, e.g. " + (digits == 0 ? "300" : "300." + "0".repeat(digits)));
        }
    }

    /** The currency's minor-unit digits ({@link Money#exponentOf}); 2 when it is none or unknown. */
    private static int digits(String currency) {
        return currency != null && Money.isKnownCurrency(currency) ? Money.exponentOf(currency) : 2;
    }

    /** A number of days typed in a form, 1 to 90 (the longest a standing grant may last). */
    static int days(String typed) {
        try {
            int days = Integer.parseInt(typed.strip());
            if (days >= 1 && days <= 90) {
                return days;
            }
        } catch (NumberFormatException notANumber) {
            // refused below
        }
        throw new ApiException(ErrorCode.INVALID_INPUT, "valid for: a whole number of days from 1 to 90");
    }

    /** {@code part} of {@code whole} as a percentage for a gauge's width, 0 to 100. */
    public long percent(long part, long whole) {
        if (whole <= 0 || part <= 0) {
            return 0;
        }
        return Math.min(100, Math.round(100.0 * part / whole));
    }
}
