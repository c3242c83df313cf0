package etl.event;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * An amount in cents as plain decimal text with two places ({@code 0.05}, {@code -583.00}): what
 * {@code BigDecimal.valueOf(cents, 2).toPlainString()} gives, without the BigDecimal. The spool line's values and the
 * UPSERT's amounts are written this way, a million and tens of thousands a batch.
 */
public final class Cents {

    /** The most bytes {@link #write} writes: 19 digits, the point. */
    public static final int MAX_BYTES = 20;

    private Cents() {
    }

    /** Writes {@code cents} (zero or more) at {@code out[at]}; returns the index after it. */
    public static int write(byte[] out, int at, long cents) {
        int n = whole(out, at, cents / 100);
        int fraction = (int) (cents % 100);
        out[n++] = '.';
        out[n++] = (byte) ('0' + fraction / 10);
        out[n++] = (byte) ('0' + fraction % 10);
        return n;
    }

    /**
     * Writes the whole number {@code v} (zero or more) in decimal digits at {@code out[at]}; returns the index after it
     * (the units of {@link #write}, the spool line's counts and cents, the places in a batch's COPY rows).
     */
    public static int whole(byte[] out, int at, long v) {
        int end = at + digits(v);
        for (int i = end - 1; i >= at; i--) {
            out[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return end;
    }

    /** How many decimal digits the whole number {@code v} (zero or more) has. */
    public static int digits(long v) {
        int digits = 1;
        for (; v >= 10; v /= 10) {
            digits++;
        }
        return digits;
    }

    /** How many bytes {@link #write} writes for {@code cents} (zero or more). */
    public static int length(long cents) {
        return digits(cents / 100) + 3;
    }

    /** {@code cents} of any sign as text. */
    public static String plain(long cents) {
        if (cents == Long.MIN_VALUE) { // its negation is not a long
            return BigDecimal.valueOf(cents, 2).toPlainString();
        }
        byte[] b = new byte[MAX_BYTES + 1];
        int n = 0;
        if (cents < 0) {
            b[n++] = '-';
        }
        n = write(b, n, Math.abs(cents));
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }
}
