package etl.spool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import etl.event.Event;
import etl.event.EventValidator;

/**
 * One accepted request as it is kept in the outbox: a single JSON line
 * {@code {"key":"<Idempotency-Key or null>","events":[{"userId":…,"name":…,"value":…},…]}}, the events as they were
 * received (validated, other fields kept). A line is only ever complete when it ends with a newline, so a torn write
 * is never mistaken for a request.
 */
public record SpoolRecord(String key, List<Event> events) {

    private static final JsonFactory JSON = EventValidator.MAPPER.getFactory();

    /**
     * The spool line of an accepted request, made from its body as received (already validated whole): the events are
     * copied, not re-serialized. In valid JSON a newline can only be white space between tokens, so newlines become
     * spaces; in JSON Lines the blank lines are dropped and the others joined into an array.
     */
    public static byte[] line(String key, byte[] body, boolean jsonLines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 64);
        out.writeBytes(("{\"key\":" + jsonString(key) + ",\"events\":").getBytes(StandardCharsets.UTF_8));
        if (jsonLines) {
            out.write('[');
            boolean first = true;
            int start = 0;
            while (start <= body.length) {
                int end = start;
                while (end < body.length && body[end] != '\n') {
                    end++;
                }
                if (!blank(body, start, end)) {
                    if (!first) {
                        out.write(',');
                    }
                    first = false;
                    copyFlat(body, start, end, out);
                }
                start = end + 1;
            }
            out.write(']');
        } else {
            int first = 0;
            while (first < body.length && isSpace(body[first])) {
                first++;
            }
            boolean array = first < body.length && body[first] == '[';
            if (!array) {
                out.write('[');
            }
            copyFlat(body, first, body.length, out);
            if (!array) {
                out.write(']');
            }
        }
        out.writeBytes("}\n".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    private static boolean blank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isSpace(b[i])) {
                return false;
            }
        }
        return true;
    }

    private static void copyFlat(byte[] b, int from, int to, ByteArrayOutputStream out) {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            out.write(c == '\n' || c == '\r' ? ' ' : c);
        }
    }

    private static String jsonString(String s) {
        if (s == null) {
            return "null";
        }
        try {
            return EventValidator.MAPPER.writeValueAsString(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
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
