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
 * <p>
 * Made by {@link #copying}, the events keep their user ids in bytes of their own instead ({@link #addCopy}), so that
 * the bytes they were read from can be read over: the processor reads each outbox file into one buffer per reader
 * thread. Memory that a process touches for the first time costs a page fault per 4 KB, about 11 µs on these
 * machines (2.9 ms a MB): a million events read from outbox files freshly allocated each (66 MB) and events holding
 * those files took some 30,000 faults, a quarter of a second of system time, in every such batch of a running
 * process; the ids alone are a seventh of those bytes.
 */
public final class CompactEvents extends AbstractList<Event> {

    private byte[] line;
    private int[] from;
    private int[] to;
    private long[] signed;
    private boolean[] minus;
    private int size;
    /** Whether the events copy their ids into {@link #line} ({@link #copying}), and how many of its bytes are used. */
    private final boolean copies;
    private int idBytes;

    public CompactEvents(byte[] line) {
        this(line, 16, false);
    }

    private CompactEvents(byte[] line, int capacity, boolean copies) {
        this.line = line;
        this.copies = copies;
        from = new int[capacity];
        to = new int[capacity];
        signed = new long[capacity];
        minus = new boolean[capacity];
    }

    /**
     * Events that copy their user ids ({@link #addCopy}), with room for about {@code events} events of
     * {@code idBytes} bytes of ids in all (the reader's guess from the line before: grown when it is short).
     */
    public static CompactEvents copying(int events, int idBytes) {
        return new CompactEvents(new byte[Math.max(64, idBytes)], Math.max(16, events), true);
    }

    /** Appends an event whose user id is {@code b[userFrom, userTo)}, copied (events made by {@link #copying}). */
    public void addCopy(byte[] b, int userFrom, int userTo, boolean subtract, long cents) {
        int length = userTo - userFrom;
        if (idBytes + length > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, idBytes + length));
        }
        System.arraycopy(b, userFrom, line, idBytes, length);
        add(idBytes, idBytes + length, subtract, cents);
        idBytes += length;
    }

    /** The bytes of the user ids copied so far ({@link #addCopy}): the next line's guess. */
    public int idBytes() {
        return idBytes;
    }

    /**
     * Gives back the room of a guess that was far too large (a request of one event after one of 5,000 in the same
     * file): arrays more than twice the events (and, for copying events, id bytes more than twice those copied) are cut
     * to size, so that what a file's requests hold until they are summed stays within twice their events.
     */
    public void trim() {
        if (from.length > 2 * size + 16) {
            resize(size);
        }
        if (copies && line.length > 2 * idBytes + 64) {
            line = Arrays.copyOf(line, idBytes);
        }
    }

    /** The four arrays at room for {@code n} events. */
    private void resize(int n) {
        from = Arrays.copyOf(from, n);
        to = Arrays.copyOf(to, n);
        signed = Arrays.copyOf(signed, n);
        minus = Arrays.copyOf(minus, n);
    }

    /** Room for this many events before the arrays grow. */
    int capacity() {
        return from.length;
    }

    /** Appends the event {@code c} has just taken. */
    public void add(CanonicalEvents c) {
        add(c.userFrom(), c.userTo(), c.subtract(), c.cents());
    }

    /** Appends an event: its user id is {@code line()[userFrom, userTo)}, its value {@code cents} (never negative). */
    public void add(int userFrom, int userTo, boolean subtract, long cents) {
        if (size == from.length) {
            resize(size * 2);
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
