package etl.event;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import etl.io.Utf8;

/**
 * Reads the body of {@code POST /liveEvent}: one event object, a JSON array of events, or JSON Lines. All or nothing:
 * the caller keeps the events only when {@link Parsed#invalid()} is empty.
 */
public final class RequestParser {

    /** At most this many invalid entries are listed in a 400 answer. */
    public static final int MAX_LISTED = 100;

    private RequestParser() {
    }

    /** Valid events, or the invalid ones (at most {@link #MAX_LISTED}) with {@code invalidCount} counting all. */
    public record Parsed(List<Event> events, List<Invalid> invalid, int invalidCount) {
        public boolean ok() {
            return invalidCount == 0;
        }
    }

    public static boolean isJsonLines(String contentType) {
        if (contentType == null) {
            return false;
        }
        String ct = contentType.toLowerCase();
        return ct.startsWith("application/x-ndjson") || ct.startsWith("application/jsonl")
                || ct.startsWith("application/x-jsonlines") || ct.startsWith("application/jsonlines");
    }

    public static Parsed parse(byte[] body, String contentType) {
        return isJsonLines(contentType) ? parseLines(body) : parseJson(body);
    }

    /**
     * A UTF-8 byte order mark before the body is skipped (RFC 8259 lets a parser ignore it); everything else must be
     * well-formed UTF-8: a body in UTF-16 or UTF-32, or with an ill-formed byte, is invalid JSON.
     */
    private static int start(byte[] body) {
        return Utf8.hasBom(body, 0, body.length) ? 3 : 0;
    }

    static Parsed parseJson(byte[] body) {
        // one event in the common form (what a single-event client sends), taken apart without Jackson
        CanonicalEvents one = new CanonicalEvents(body, start(body), body.length);
        if (one.whole()) {
            CompactEvents events = new CompactEvents(body);
            events.add(one);
            return new Parsed(events, List.of(), 0);
        }
        String text;
        try {
            text = Utf8.decode(body, start(body), body.length);
        } catch (Utf8.InvalidException e) {
            return single("body is " + e.getMessage());
        }
        Collector c = new Collector(body);
        try (JsonParser p = EventValidator.MAPPER.getFactory().createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return single("body is empty");
            }
            if (t == JsonToken.START_ARRAY) {
                int i = 0;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t == null) {
                        return single("body is not valid JSON: the array is not closed");
                    }
                    c.add(i++, EventValidator.validate(p));
                }
            } else {
                c.add(0, EventValidator.validate(p));
            }
            if (p.nextToken() != null) {
                return single("body is not valid JSON: text after the JSON value");
            }
        } catch (IOException e) {
            return single("body is not valid JSON: " + EventValidator.brief(e));
        }
        return c.result();
    }

    /**
     * JSON Lines: each line decoded and checked on its own; {@code index} counts every line, blank ones too. A line in
     * the common form is kept as its place in the body (no object made); any other goes to the validator.
     */
    static Parsed parseLines(byte[] body) {
        Collector c = new Collector(body);
        int index = 0;
        int start = start(body);
        while (start <= body.length) {
            int nl = start;
            while (nl < body.length && body[nl] != '\n') {
                nl++;
            }
            CanonicalEvents common = new CanonicalEvents(body, start, nl);
            if (common.whole()) {
                c.add(common);
            } else if (!EventValidator.blank(body, start, nl)) {
                c.add(index, EventValidator.validateOther(body, start, nl));
            }
            index++;
            start = nl + 1;
        }
        return c.result();
    }

    private static Parsed single(String reason) {
        return new Parsed(List.of(), List.of(new Invalid(0, reason)), 1);
    }

    /**
     * The valid events in order: as long as each was in the common form, only their places in the body
     * ({@link CompactEvents}, from which the spool line is written without making an Event); from the first one in
     * another form on, Events.
     */
    private static final class Collector {
        final CompactEvents compact;
        List<Event> events;
        final List<Invalid> invalid = new ArrayList<>();
        int invalidCount;

        Collector(byte[] body) {
            compact = new CompactEvents(body);
        }

        /** The event {@code c} has just taken, in the common form. */
        void add(CanonicalEvents c) {
            if (events == null) {
                compact.add(c);
            } else {
                events.add(c.taken());
            }
        }

        void add(int index, EventValidator.Result r) {
            if (r.valid()) {
                if (events == null) {
                    events = new ArrayList<>(compact);
                }
                events.add(r.event());
            } else {
                invalidCount++;
                if (invalid.size() < MAX_LISTED) {
                    invalid.add(new Invalid(index, r.reason()));
                }
            }
        }

        Parsed result() {
            return new Parsed(invalidCount > 0 ? List.of() : events == null ? compact : events, invalid, invalidCount);
        }
    }
}
