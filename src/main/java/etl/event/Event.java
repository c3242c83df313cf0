package etl.event;

import java.math.BigDecimal;

/**
 * One valid revenue event. {@code value} is exact (never floating point), zero or more, with at most two decimals.
 */
public record Event(String userId, String name, BigDecimal value) {

    public static final String ADD = "add_revenue";
    public static final String SUBTRACT = "subtract_revenue";

    /** The change this event makes to the user's total: +value or -value. */
    public BigDecimal signedValue() {
        return SUBTRACT.equals(name) ? value.negate() : value;
    }
}
