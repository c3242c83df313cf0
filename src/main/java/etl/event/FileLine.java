package etl.event;

import java.util.Arrays;

import etl.io.Utf8;

/**
 * One line of a JSON Lines file that a user gave (an inbox file, an import), decided on its own: a UTF-8 byte order
 * mark before the file's first line and a {@code \r} before the newline are dropped; a blank line (space, tab, CR) is
 * skipped; a line longer than the limit is invalid without being parsed; any other line is checked by the same rules
 * as the server's JSON Lines. {@code from} and {@code to} are the line's bytes without the BOM and the {@code \r}.
 */
public record FileLine(EventValidator.Result result, int from, int to) {

    /** How much of a line over the length limit its quarantine entry keeps. */
    public static final int RAW_PREFIX = 1024;

    /** The decision on a line, or null when it is blank. */
    public static FileLine check(byte[] line, boolean firstOfFile, int maxLineBytes) {
        int from = firstOfFile && Utf8.hasBom(line, 0, line.length) ? 3 : 0;
        int to = line.length > 0 && line[line.length - 1] == '\r' ? line.length - 1 : line.length;
        if (EventValidator.blank(line, from, to)) {
            return null;
        }
        EventValidator.Result r = line.length > maxLineBytes
                ? new EventValidator.Result(null, "the line is longer than " + maxLineBytes + " bytes (raw holds its"
                        + " first " + RAW_PREFIX + " bytes)")
                : EventValidator.validateLine(line, from, to);
        return new FileLine(r, from, to);
    }

    /** The bytes a quarantine entry keeps of an invalid line: the line, or the start of one over the limit. */
    public byte[] raw(byte[] line, int maxLineBytes) {
        return line.length > maxLineBytes ? Arrays.copyOf(line, RAW_PREFIX) : Arrays.copyOfRange(line, from, to);
    }
}
