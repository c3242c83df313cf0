package etl.spool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
 * {@code {"key":"<Idempotency-Key or null>","events":[{"userId":…,"name":…,"value":…},…]}}, written by this class
 * from the events the server validated, in one canonical form (UTF-8, no byte order mark, no other fields, values as
 * plain decimals). The processor reads it back with the same validator: whatever body the server accepted, in
 * whatever form (a BOM, CRLF, deep ignored fields), the processor reads the same events. A line is only ever complete
 * when it ends with a newline, so a torn write is never mistaken for a request.
 */
public record SpoolRecord(String key, List<Event> events) {

    private static final JsonFactory JSON = EventValidator.MAPPER.getFactory();

    /** The spool line of an accepted request: its key and its (validated) events, ending in a newline. */
    public static byte[] line(String key, List<Event> events) {
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
        out.write('\n');
        return out.toByteArray();
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
