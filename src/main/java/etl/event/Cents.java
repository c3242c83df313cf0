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
        long units = cents / 100;
        int digits = 1;
        for (long u = units; u >= 10; u /= 10) {
            digits++;
        }
        for (int i = at + digits - 1; i >= at; i--) {
            out[i] = (byte) ('0' + units % 10);
            units /= 10;
        }
        int n = at + digits;
        int fraction = (int) (cents % 100);
        out[n++] = '.';
        out[n++] = (byte) ('0' + fraction / 10);
        out[n++] = (byte) ('0' + fraction % 10);
        return n;
    }

    /** How many bytes {@link #write} writes for {@code cents} (zero or more). */
    public static int length(long cents) {
        int digits = 1;
        for (long u = cents / 100; u >= 10; u /= 10) {
            digits++;
        }
        return digits + 3;
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
