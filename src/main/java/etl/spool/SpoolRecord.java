package etl.spool;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
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
 * {@code {"key":"<Idempotency-Key or null>","events":[{"userId":…,"name":…,"value":…},…]}}. The events are already
 * validated; a line is only ever complete when it ends with a newline, so a torn write is never mistaken for a
 * request.
 */
public record SpoolRecord(String key, List<Event> events) {

    public static final JsonFactory JSON = EventValidator.MAPPER.getFactory();

    public String toLine() {
        StringWriter out = new StringWriter(64 + events.size() * 64);
        try (JsonGenerator g = JSON.createGenerator(out)) {
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
        return out.append('\n').toString();
    }

    /** Writes one event in the contract's form, {@code {"userId":…,"name":…,"value":…}}. */
    public static void writeEvent(JsonGenerator g, Event e) throws IOException {
        g.enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
        g.writeStartObject();
        g.writeStringField("userId", e.userId());
        g.writeStringField("name", e.name());
        g.writeNumberField("value", e.value());
        g.writeEndObject();
    }

    /** Reads a line written by {@link #toLine()}. */
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
                    while (p.nextToken() == JsonToken.START_OBJECT) {
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
        String userId = null;
        String name = null;
        BigDecimal value = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "userId" -> userId = p.getText();
                case "name" -> name = p.getText();
                case "value" -> value = p.getDecimalValue();
                default -> p.skipChildren();
            }
        }
        if (userId == null || name == null || value == null) {
            throw new IOException("spooled event lacks userId, name or value");
        }
        return new Event(userId, name, value);
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("spool line: expected " + expected + " but found " + actual);
        }
    }
}
