package etl.event;

import java.util.Arrays;

import etl.io.Utf8;

/**
 * One line of a JSON Lines file that a user gave (an inbox file, an import), decided on its own: a UTF-8 byte order
 * mark before the file's first line and a {@code \r} before the newline are dropped; a blank line (space, tab, CR) is
 * skipped; a line longer than the limit is invalid without being parsed; any other line is checked by the same rules
 * as the server's JSON Lines. {@code from} and {@code to} are the line's bytes without the BOM and the {@code \r}.
 */
public final class FileLine {

    /** How much of a line over the length limit its quarantine entry keeps. */
    public static final int RAW_PREFIX = 1024;

    private final byte[] line;
    private final int from;
    private final int to;
    /** Null for a line in the common form ({@link CanonicalEvents}) until someone asks for its event. */
    private EventValidator.Result result;

    private FileLine(byte[] line, int from, int to, EventValidator.Result result) {
        this.line = line;
        this.from = from;
        this.to = to;
        this.result = result;
    }

    /**
     * The decision on a line, or null when it is blank. A line in the common form is known valid without making its
     * Event (the inbox client only sends its bytes): {@link #result()} makes it when asked.
     */
    public static FileLine check(byte[] line, boolean firstOfFile, int maxLineBytes) {
        int from = firstOfFile && Utf8.hasBom(line, 0, line.length) ? 3 : 0;
        int to = line.length > 0 && line[line.length - 1] == '\r' ? line.length - 1 : line.length;
        if (EventValidator.blank(line, from, to)) {
            return null;
        }
        if (line.length > maxLineBytes) {
            return new FileLine(line, from, to, new EventValidator.Result(null, "the line is longer than "
                    + maxLineBytes + " bytes (raw holds its first " + RAW_PREFIX + " bytes)"));
        }
        if (new CanonicalEvents(line, from, to).whole()) {
            return new FileLine(line, from, to, null);
        }
        return new FileLine(line, from, to, EventValidator.validateOther(line, from, to));
    }

    public boolean valid() {
        return result == null || result.valid();
    }

    /** The line's event, or the reason it is invalid. */
    public EventValidator.Result result() {
        if (result == null) {
            result = EventValidator.validateLine(line, from, to);
        }
        return result;
    }

    /** The line's bytes without the BOM and the {@code \r}: {@code [from, to)}. */
    public int from() {
        return from;
    }

    public int to() {
        return to;
    }

    /** The bytes a quarantine entry keeps of an invalid line: the line, or the start of one over the limit. */
    public byte[] raw(byte[] line, int maxLineBytes) {
        return line.length > maxLineBytes ? Arrays.copyOf(line, RAW_PREFIX) : Arrays.copyOfRange(line, from, to);
    }
}
