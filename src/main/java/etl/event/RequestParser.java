package etl.event;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

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

    static Parsed parseJson(byte[] body) {
        Collector c = new Collector();
        try (JsonParser p = EventValidator.MAPPER.getFactory().createParser(body)) {
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

    static Parsed parseLines(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        Collector c = new Collector();
        int index = 0;
        int start = 0;
        while (start <= text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl;
            String line = text.substring(start, end);
            if (!line.isBlank()) {
                c.add(index, EventValidator.validateJson(line));
            }
            if (nl < 0) {
                break;
            }
            index++;
            start = nl + 1;
        }
        return c.result();
    }

    private static Parsed single(String reason) {
        return new Parsed(List.of(), List.of(new Invalid(0, reason)), 1);
    }

    private static final class Collector {
        final List<Event> events = new ArrayList<>();
        final List<Invalid> invalid = new ArrayList<>();
        int invalidCount;

        void add(int index, EventValidator.Result r) {
            if (r.valid()) {
                events.add(r.event());
            } else {
                invalidCount++;
                if (invalid.size() < MAX_LISTED) {
                    invalid.add(new Invalid(index, r.reason()));
                }
            }
        }

        Parsed result() {
            return new Parsed(invalidCount == 0 ? events : List.of(), invalid, invalidCount);
        }
    }
}
