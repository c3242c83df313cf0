package etl.event;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A parser for the one common form of an event, on bytes: {@code {"userId":"…","name":"…","value":…}}, in that order,
 * spaces allowed between the tokens, the user id plain ASCII without escapes, the value a plain decimal of at most 16
 * digits before the point and two after. It is the form the server spools, the examples show and most clients
 * send; for it, the general validator (Jackson, BigDecimal, the strict checks) costs ten times what taking it apart
 * does. It never decides that something is invalid: whatever it does not expect (another order, another field, an
 * escape, a character beyond ASCII, a number in another form, a tab) makes it give up, and the caller asks the
 * validator, so the two always agree on what is valid and what an event holds.
 */
public final class CanonicalEvents {

    private static final byte[] USER = "\"userId\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NAME = "\"name\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ADD = "\"add_revenue\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUBTRACT = "\"subtract_revenue\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VALUE = "\"value\"".getBytes(StandardCharsets.US_ASCII);
    /** Digits before the point read into a long of cents: 16 + 2 places stay below 2^63 (the validator: 10^18). */
    public static final int MAX_INTEGER_DIGITS = 16;
    /** The validator's limit on a user id, in characters (here bytes: ASCII only). */
    public static final int MAX_USER_ID = 255;

    private final byte[] b;
    private final int end;
    private int pos;

    /** A cursor over {@code b[from, end)}. */
    public CanonicalEvents(byte[] b, int from, int end) {
        this.b = b;
        this.pos = from;
        this.end = end;
    }

    /** The event that the whole of {@code b[from, to)} is, or null when it is not in the common form. */
    public static Event line(byte[] b, int from, int to) {
        CanonicalEvents c = new CanonicalEvents(b, from, to);
        Event e = c.event();
        c.spaces();
        return e != null && c.pos == to ? e : null;
    }

    /**
     * Takes the event that the whole rest of the bytes is (spaces around it allowed), without making any object, as
     * {@link #next()} does; false when it is not in the common form.
     */
    public boolean whole() {
        if (!next()) {
            return false;
        }
        spaces();
        return pos == end;
    }

    public int position() {
        return pos;
    }

    /** The event at the cursor, or null (the cursor is then anywhere). */
    public Event event() {
        return next() ? taken() : null;
    }

    /** The event that {@link #next()} or {@link #whole()} took last, as an Event. */
    public Event taken() {
        return new Event(new String(b, userFrom, userTo - userFrom, StandardCharsets.ISO_8859_1),
                subtract ? Event.SUBTRACT : Event.ADD, BigDecimal.valueOf(cents, 2));
    }

    // the last event taken by next(), as places in b and a number: no object made
    private int userFrom;
    private int userTo;
    private boolean subtract;
    private long cents;

    /**
     * Takes the event at the cursor without making any object: its user id is then {@code b[userFrom(), userTo())},
     * its value {@link #cents()} and its kind {@link #subtract()}. False when it is not in the common form (the
     * cursor is then anywhere).
     */
    public boolean next() {
        spaces();
        if (!take('{') || !field(USER) || !take('"')) {
            return false;
        }
        int from = pos;
        if (!skipString()) {
            return false;
        }
        int to = pos - 1;
        if (to == from || to - from > MAX_USER_ID || !take(',') || !field(NAME)) {
            return false;
        }
        spaces();
        boolean minus;
        if (take(ADD)) {
            minus = false;
        } else if (take(SUBTRACT)) {
            minus = true;
        } else {
            return false;
        }
        if (!take(',') || !field(VALUE)) {
            return false;
        }
        spaces();
        long value = number();
        if (value < 0 || !take('}')) {
            return false;
        }
        userFrom = from;
        userTo = to;
        subtract = minus;
        cents = value;
        return true;
    }

    public int userFrom() {
        return userFrom;
    }

    public int userTo() {
        return userTo;
    }

    public boolean subtract() {
        return subtract;
    }

    /** The value in cents (never negative: the kind says add or subtract). */
    public long cents() {
        return cents;
    }

    /** {@code "key"} and its colon, spaces around them. */
    private boolean field(byte[] key) {
        spaces();
        if (!take(key)) {
            return false;
        }
        spaces();
        if (!take(':')) {
            return false;
        }
        spaces();
        return true;
    }

    /** The rest of a string whose opening quote was taken: plain ASCII, no escape, no control character. */
    public String string() {
        int start = pos;
        return skipString() ? new String(b, start, pos - 1 - start, StandardCharsets.ISO_8859_1) : null;
    }

    /** Skips the rest of such a string, its closing quote included; false when it is not one. */
    private boolean skipString() {
        while (pos < end) {
            byte c = b[pos];
            if (c == '"') {
                pos++;
                return true;
            }
            if (c == '\\' || c < 0x20) { // an escape, a control character, or (negative) beyond ASCII
                return false;
            }
            pos++;
        }
        return false;
    }

    /** A plain decimal, zero or more, at most two places, in cents; -1 when it is not one. */
    private long number() {
        long unscaled = 0;
        int digits = 0;
        int start = pos;
        while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
            unscaled = unscaled * 10 + (b[pos] - '0');
            digits++;
            pos++;
        }
        if (digits == 0 || digits > MAX_INTEGER_DIGITS || (digits > 1 && b[start] == '0')) {
            return -1;
        }
        int places = 0;
        if (pos < end && b[pos] == '.') {
            pos++;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9' && places < 3) {
                unscaled = unscaled * 10 + (b[pos] - '0');
                places++;
                pos++;
            }
            if (places == 0 || places > 2) {
                return -1;
            }
        }
        if (pos < end && (b[pos] == 'e' || b[pos] == 'E' || (b[pos] >= '0' && b[pos] <= '9'))) {
            return -1;
        }
        for (int i = places; i < 2; i++) {
            unscaled *= 10;
        }
        return unscaled;
    }

    /** Takes {@code c} after optional spaces. */
    public boolean take(char c) {
        spaces();
        if (pos < end && b[pos] == c) {
            pos++;
            return true;
        }
        return false;
    }

    /** Takes exactly {@code expected}. */
    public boolean take(byte[] expected) {
        if (end - pos < expected.length
                || !Arrays.equals(b, pos, pos + expected.length, expected, 0, expected.length)) {
            return false;
        }
        pos += expected.length;
        return true;
    }

    /** Skips spaces (0x20 only: any other white space is left to the validator). */
    public void spaces() {
        while (pos < end && b[pos] == ' ') {
            pos++;
        }
    }
}
