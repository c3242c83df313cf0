package etl.spool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import etl.event.CanonicalEvents;
import etl.event.Cents;
import etl.event.CompactEvents;
import etl.event.Event;
import etl.event.EventValidator;

/**
 * One accepted request as it is kept in the outbox: a single JSON line
 * {@code {"key":"<Idempotency-Key or null>","events":[{"userId":…,"name":…,"value":…},…],"crc32":"<8 hex>"}},
 * written by this class from the events the server validated, in one canonical form (UTF-8, no byte order mark, no
 * other fields, values as plain decimals with two places). {@code crc32} is the CRC-32 of the line's bytes before
 * {@code ,"crc32":}: a line whose checksum holds was written whole by the server from validated events, so the
 * processor reads it with a parser made for exactly this form ({@link #read(byte[])}, no validation again); a line
 * whose checksum does not hold is torn or corrupted and is never applied. Anything else (a line of an older version
 * without the checksum, a form the fast parser does not know) is read with the validator, by the rules it was
 * accepted by. A line is only ever complete when it ends with a newline, so a torn write is never mistaken for a
 * request.
 */
public record SpoolRecord(String key, List<Event> events) {

    private static final JsonFactory JSON = EventValidator.MAPPER.getFactory();

    private static final byte[] CRC_FIELD = ",\"crc32\":\"".getBytes(StandardCharsets.US_ASCII);
    /** {@code ,"crc32":"} + 8 hex digits + {@code "}}. */
    private static final int CRC_SUFFIX = CRC_FIELD.length + 8 + 2;

    /**
     * The spool line of an accepted request: its key and its (validated) events, its checksum, a newline. Events kept
     * as places in the request's bytes ({@link CompactEvents}: what the server's parser keeps of events in the common
     * form) are copied from those bytes; any others are written by Jackson. Both give the same bytes for the same
     * events.
     */
    public static byte[] line(String key, List<Event> events) {
        if (events instanceof CompactEvents compact && plain(key)) {
            return line(key, compact);
        }
        byte[] json = json(key, events);
        // {...} becomes {...,"crc32":"…"}: the checksum covers everything before its field
        int body = json.length - 1;
        return seal(Arrays.copyOf(json, body + CRC_SUFFIX + 1), body);
    }

    private static final byte[] KEY_OPEN = "{\"key\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_KEY = "null".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENTS_OPEN = ",\"events\":[".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] USER_OPEN = "{\"userId\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ADD_NAME = "\",\"name\":\"add_revenue\",\"value\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUBTRACT_NAME =
            "\",\"name\":\"subtract_revenue\",\"value\":".getBytes(StandardCharsets.US_ASCII);

    /** A key that Jackson would write as it is: none, or printable ASCII without a quote or a backslash. */
    private static boolean plain(String key) {
        if (key == null) {
            return true;
        }
        for (int i = 0; i < key.length(); i++) {
            char ch = key.charAt(i);
            if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\') {
                return false;
            }
        }
        return true;
    }

    /**
     * The line of events in the common form, copied from the bytes they were found in: their user ids are plain ASCII
     * without escapes or control characters (what {@link CanonicalEvents} takes), which is what Jackson writes for
     * them too; values in cents become plain decimals with two places, as Jackson writes {@code BigDecimal.valueOf(cents,
     * 2)}. No Event, String or BigDecimal is made: on a request of 5,000 events this was most of the server's work.
     */
    private static byte[] line(String key, CompactEvents events) {
        byte[] ids = events.line();
        // the line's exact length (an upper bound cost a second array of a request's size, copied: a 5,000-event
        // request's line is over a megabyte, of fresh memory on a busy server)
        int size = KEY_OPEN.length + (key == null ? NULL_KEY.length : key.length() + 2) + EVENTS_OPEN.length + 1
                + Math.max(0, events.size() - 1);
        for (int i = 0; i < events.size(); i++) {
            size += USER_OPEN.length + events.userTo(i) - events.userFrom(i)
                    + (events.subtract(i) ? SUBTRACT_NAME : ADD_NAME).length
                    + Cents.length(Math.abs(events.signedCents(i))) + 1;
        }
        byte[] out = new byte[size + CRC_SUFFIX + 1];
        int n = put(out, 0, KEY_OPEN);
        if (key == null) {
            n = put(out, n, NULL_KEY);
        } else {
            out[n++] = '"';
            for (int i = 0; i < key.length(); i++) {
                out[n++] = (byte) key.charAt(i);
            }
            out[n++] = '"';
        }
        n = put(out, n, EVENTS_OPEN);
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                out[n++] = ',';
            }
            n = put(out, n, USER_OPEN);
            int from = events.userFrom(i);
            int length = events.userTo(i) - from;
            System.arraycopy(ids, from, out, n, length);
            n += length;
            n = put(out, n, events.subtract(i) ? SUBTRACT_NAME : ADD_NAME);
            n = Cents.write(out, n, Math.abs(events.signedCents(i)));
            out[n++] = '}';
        }
        out[n++] = ']';
        return seal(n + CRC_SUFFIX + 1 == out.length ? out : Arrays.copyOf(out, n + CRC_SUFFIX + 1), n);
    }

    private static int put(byte[] out, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return at + bytes.length;
    }

    /**
     * Ends the line: {@code line[0, body)} is the request's JSON object without its closing brace, and the rest (of
     * exactly {@link #CRC_SUFFIX} + 1 bytes) becomes {@code ,"crc32":"…"}} and a newline; the checksum covers
     * everything before its field.
     */
    private static byte[] seal(byte[] line, int body) {
        CRC32 crc = new CRC32();
        crc.update(line, 0, body);
        System.arraycopy(CRC_FIELD, 0, line, body, CRC_FIELD.length);
        long v = crc.getValue(); // eight hex digits (String.format was a tenth of the single-event path's CPU)
        for (int i = 7; i >= 0; i--) {
            line[body + CRC_FIELD.length + i] = (byte) Character.forDigit((int) (v & 0xf), 16);
            v >>>= 4;
        }
        line[line.length - 3] = '"';
        line[line.length - 2] = '}';
        line[line.length - 1] = '\n';
        return line;
    }

    private static byte[] json(String key, List<Event> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 + events.size() * 64);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
            g.writeStartObject();
            g.writeStringField("key", key);
            g.writeArrayFieldStart("events");
            for (Event e : events) {
                writeEvent(g, e);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /**
     * Reads a spool line (without its newline): with the fast parser when its checksum holds, with the validator when
     * it has none or has a form the fast parser does not know; a checksum that does not hold is an error.
     */
    public static SpoolRecord read(byte[] line) throws IOException {
        int crcAt = line.length - CRC_SUFFIX;
        if (crcAt > 0 && checksumFieldAt(line, crcAt)) {
            if (!checksumHolds(line, 0, crcAt)) {
                throw new IOException("spool line: its checksum does not hold (torn or corrupted)");
            }
            FastReader fast = new FastReader(line, 0, crcAt, null);
            SpoolRecord record = fast.record();
            if (record != null && fast.pos == crcAt) { // the object's end is the checksum's field: nothing between
                return record;
            }
        }
        return parse(new String(line, StandardCharsets.UTF_8));
    }

    /** A spool line read in place ({@link #readInPlace}): its record, and where the line after it starts. */
    public record InPlace(SpoolRecord record, int next) {
    }

    /**
     * Reads the spool line that starts at {@code b[from]}, in bytes that hold whole lines up to {@code end} (an outbox
     * file read at once), without cutting it out: when the line is in the one form {@link #line} writes, ends with its
     * newline and its checksum holds, its record and where the next line starts; otherwise null, and the caller reads
     * the line up to its newline with {@link #read(byte[])}, which takes every other form and says what is wrong with a
     * line. One pass over the line's bytes that also finds its end: the line cut out first (a search for its newline
     * and two copies) was a third of the processor's reading (JFR, bench). The record's events copy their user ids
     * ({@link CompactEvents#copying}) and keep nothing of {@code b}, which the caller may read the next file into;
     * {@code previous} (the line before, or null) sizes them.
     */
    public static InPlace readInPlace(byte[] b, int from, int end, InPlace previous) {
        CompactEvents events = previous != null && previous.record().events() instanceof CompactEvents p
                ? CompactEvents.copying(p.size(), p.idBytes()) : CompactEvents.copying(16, 64);
        FastReader fast = new FastReader(b, from, end, events);
        SpoolRecord record = fast.record();
        if (record == null) {
            return null;
        }
        int crcAt = fast.pos;
        int newline = crcAt + CRC_SUFFIX;
        if (newline >= end || b[newline] != '\n' || !checksumFieldAt(b, crcAt) || !checksumHolds(b, from, crcAt)) {
            return null;
        }
        events.trim();
        return new InPlace(record, newline + 1);
    }

    /** Whether {@code b[crcAt, crcAt + CRC_SUFFIX)} is a checksum's field, {@code ,"crc32":"…"}}. */
    private static boolean checksumFieldAt(byte[] b, int crcAt) {
        int close = crcAt + CRC_SUFFIX;
        return b[close - 1] == '}' && b[close - 2] == '"'
                && Arrays.equals(b, crcAt, crcAt + CRC_FIELD.length, CRC_FIELD, 0, CRC_FIELD.length);
    }

    /** Whether the checksum written in the field at {@code crcAt} is the CRC-32 of {@code b[from, crcAt)}. */
    private static boolean checksumHolds(byte[] b, int from, int crcAt) {
        long written = parseHex(b, crcAt + CRC_FIELD.length);
        CRC32 crc = new CRC32();
        crc.update(b, from, crcAt - from);
        return written >= 0 && written == crc.getValue();
    }

    private static long parseHex(byte[] b, int at) {
        long v = 0;
        for (int i = at; i < at + 8; i++) {
            int d = Character.digit(b[i], 16);
            if (d < 0) {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }

    /** One event in the contract's form, {@code {"userId":…,"name":…,"value":…}}, on one line. */
    public static String eventJson(Event e) {
        java.io.StringWriter out = new java.io.StringWriter(64);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            writeEvent(g, e);
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        return out.toString();
    }

    private static void writeEvent(JsonGenerator g, Event e) throws IOException {
        g.enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
        g.writeStartObject();
        g.writeStringField("userId", e.userId());
        g.writeStringField("name", e.name());
        g.writeNumberField("value", e.value());
        g.writeEndObject();
    }

    /** Reads a line written by {@link #line}; each event is checked again, with the rules it was accepted by. */
    public static SpoolRecord parse(String line) throws IOException {
        String key = null;
        List<Event> events = new ArrayList<>();
        try (JsonParser p = JSON.createParser(line)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if ("key".equals(field)) {
                    key = t == JsonToken.VALUE_NULL ? null : p.getText();
                } else if ("events".equals(field)) {
                    expect(t, JsonToken.START_ARRAY);
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        events.add(readEvent(p));
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
        return new SpoolRecord(key, events);
    }

    /**
     * The parser of the one form {@link #line} writes, on bytes, for lines whose checksum holds: their events were
     * validated before they were written, so it only takes them apart (the key with {@link CanonicalEvents}, each event
     * in the writers' exact layout, into {@link CompactEvents}: places in the line and cents, no object per event).
     * Whatever it does not expect (an escape or a character beyond ASCII in a string, a number in another form,
     * another layout) makes it give up, and the line is read by the validator instead: the two always agree on what a
     * line holds.
     */
    private static final class FastReader {
        private final CanonicalEvents c;
        private final byte[] line;
        private final int end;
        /** Events that copy their ids ({@link #readInPlace}), or null: places in {@code line} ({@link #read}). */
        private final CompactEvents copying;
        /** After {@link #record}: where the events' array ended (the checksum's field, in a line that holds). */
        private int pos;

        /** A reader of the line that starts at {@code b[from]}, not beyond {@code end}. */
        FastReader(byte[] b, int from, int end, CompactEvents copying) {
            this.c = new CanonicalEvents(b, from, end);
            this.line = b;
            this.end = end;
            this.copying = copying;
        }

        /** The request up to the end of its events' array, or null when it is not in the form this parser knows. */
        SpoolRecord record() {
            if (!c.take(KEY_OPEN)) {
                return null;
            }
            String key;
            if (c.take(NULL_KEY)) {
                key = null;
            } else if (c.take('"')) {
                key = c.string();
                if (key == null) {
                    return null;
                }
            } else {
                return null;
            }
            if (!c.take(EVENTS_OPEN)) {
                return null;
            }
            pos = c.position();
            CompactEvents events = copying != null ? copying : new CompactEvents(line);
            if (pos < end && line[pos] == ']') {
                pos++;
            } else {
                while (true) {
                    if (!event(events)) {
                        return null;
                    }
                    if (pos < end && line[pos] == ']') {
                        pos++;
                        break;
                    }
                    if (pos >= end || line[pos] != ',') {
                        return null;
                    }
                    pos++;
                }
            }
            return new SpoolRecord(key, events);
        }

        /**
         * One event at {@code pos} in exactly the layout both writers give it,
         * {@code {"userId":"…","name":"add_revenue","value":583.00}}: no space, two places, a user id of plain ASCII
         * without escapes (what {@link CanonicalEvents} takes: the limits are its). One pass over the bytes and no call
         * per token: the door's parser, with spaces allowed between tokens, took three times as long here on a cold
         * process (its many small methods wait for the JIT). False when anything differs: the line is then read by the
         * validator.
         */
        private boolean event(CompactEvents events) {
            byte[] b = line;
            int p = pos;
            if (!at(p, USER_OPEN)) {
                return false;
            }
            p += USER_OPEN.length;
            int from = p;
            int limit = Math.min(end, from + CanonicalEvents.MAX_USER_ID + 1);
            while (p < limit && b[p] != '"') {
                if (b[p] < 0x20 || b[p] == '\\') { // a control character, an escape, or (negative) beyond ASCII
                    return false;
                }
                p++;
            }
            if (p == limit || p == from) {
                return false;
            }
            int to = p;
            boolean subtract;
            if (at(p, ADD_NAME)) {
                subtract = false;
                p += ADD_NAME.length;
            } else if (at(p, SUBTRACT_NAME)) {
                subtract = true;
                p += SUBTRACT_NAME.length;
            } else {
                return false;
            }
            int digitsFrom = p;
            long cents = 0;
            while (p < end && b[p] >= '0' && b[p] <= '9') {
                cents = cents * 10 + (b[p] - '0');
                p++;
            }
            int digits = p - digitsFrom;
            if (digits == 0 || digits > CanonicalEvents.MAX_INTEGER_DIGITS || (digits > 1 && b[digitsFrom] == '0')
                    || end - p < 4 || b[p] != '.' || b[p + 3] != '}') {
                return false;
            }
            int tens = b[p + 1] - '0';
            int ones = b[p + 2] - '0';
            if (tens < 0 || tens > 9 || ones < 0 || ones > 9) {
                return false;
            }
            if (copying != null) {
                events.addCopy(b, from, to, subtract, cents * 100 + tens * 10 + ones);
            } else {
                events.add(from, to, subtract, cents * 100 + tens * 10 + ones);
            }
            pos = p + 4;
            return true;
        }

        private boolean at(int p, byte[] literal) {
            if (end - p < literal.length) {
                return false;
            }
            return Arrays.equals(line, p, p + literal.length, literal, 0, literal.length);
        }
    }

    private static Event readEvent(JsonParser p) throws IOException {
        EventValidator.Result r = EventValidator.validate(p);
        if (!r.valid()) {
            throw new IOException("spooled event is not valid: " + r.reason());
        }
        return r.event();
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("spool line: expected " + expected + " but found " + actual);
        }
    }
}
