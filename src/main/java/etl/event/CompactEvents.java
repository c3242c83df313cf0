package etl.event;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.Arrays;

/**
 * Events in the common form ({@link CanonicalEvents}) as they were found in a byte array: places in those bytes and
 * values in cents, one array each, not an {@link Event} (a String, a BigDecimal and a record) per event. The server's
 * parser keeps a request body's events so, and the spool line is then written from those bytes
 * ({@code SpoolRecord.line}); the processor's fast reader keeps a spool line's events so, and sums them from the bytes
 * ({@link #userFrom}, {@link #userTo}, {@link #signedCents}). {@link #get} makes an Event for whoever needs one (a
 * request applied on its own, set aside, re-written). Only plain ASCII user ids come here (no escape, no control
 * character: {@link CanonicalEvents} gives up on anything else), so a user id's bytes are both its UTF-8 form and its
 * JSON string's content.
 */
public final class CompactEvents extends AbstractList<Event> {

    private final byte[] line;
    private int[] from = new int[16];
    private int[] to = new int[16];
    private long[] signed = new long[16];
    private boolean[] minus = new boolean[16];
    private int size;

    public CompactEvents(byte[] line) {
        this.line = line;
    }

    /** Appends the event {@code c} has just taken. */
    public void add(CanonicalEvents c) {
        add(c.userFrom(), c.userTo(), c.subtract(), c.cents());
    }

    /** Appends an event: its user id is {@code line()[userFrom, userTo)}, its value {@code cents} (never negative). */
    public void add(int userFrom, int userTo, boolean subtract, long cents) {
        if (size == from.length) {
            int n = size * 2;
            from = Arrays.copyOf(from, n);
            to = Arrays.copyOf(to, n);
            signed = Arrays.copyOf(signed, n);
            minus = Arrays.copyOf(minus, n);
        }
        from[size] = userFrom;
        to[size] = userTo;
        signed[size] = subtract ? -cents : cents;
        minus[size] = subtract; // a subtract event of 0 stays one
        size++;
    }

    /** The bytes that hold the user ids. */
    public byte[] line() {
        return line;
    }

    public int userFrom(int i) {
        return from[i];
    }

    public int userTo(int i) {
        return to[i];
    }

    /** The event's change to its user's total, in cents: negative for a subtract event. */
    public long signedCents(int i) {
        return signed[i];
    }

    /** Whether the event is a subtract event (one of 0 too). */
    public boolean subtract(int i) {
        return minus[i];
    }

    @Override
    public Event get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        return new Event(new String(line, from[i], to[i] - from[i], StandardCharsets.ISO_8859_1),
                minus[i] ? Event.SUBTRACT : Event.ADD, BigDecimal.valueOf(Math.abs(signed[i]), 2));
    }

    @Override
    public int size() {
        return size;
    }
}
