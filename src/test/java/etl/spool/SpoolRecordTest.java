package etl.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import etl.event.Event;
import etl.event.RequestParser;

class SpoolRecordTest {

    /** What the server spools for a body it accepted: the door's parser, then the canonical line. */
    private static String line(String key, String body, boolean jsonLines) {
        RequestParser.Parsed parsed = RequestParser.parse(body.getBytes(StandardCharsets.UTF_8),
                jsonLines ? "application/x-ndjson" : "application/json");
        assertTrue(parsed.ok(), parsed.invalid().toString());
        return new String(SpoolRecord.line(key, parsed.events()), StandardCharsets.UTF_8);
    }

    @Test
    void theThreeBodyFormsBecomeOneLineWithTheSameEvents() throws IOException {
        String a = "{\"userId\":\"ü \\\"x\\\"\\n\",\"name\":\"add_revenue\",\"value\":0.1,\"extra\":{\"userId\":\"no\"}}";
        String b = "{\"userId\":42,\"name\":\"subtract_revenue\",\"value\":1e2}";
        List<Event> want = List.of(new Event("ü \"x\"\n", Event.ADD, new BigDecimal("0.10")),
                new Event("42", Event.SUBTRACT, new BigDecimal("100.00")));
        for (String l : new String[] {
            line("k\"1", "[\n  " + a + ",\r\n  " + b + "\n]\n", false),
            line("k\"1", a + "\r\n\n  \n" + b, true)}) {
            assertTrue(l.endsWith("}\n"));
            assertEquals(1, l.split("\n", -1).length - 1, "one line per request: " + l);
            SpoolRecord r = SpoolRecord.parse(l);
            assertEquals("k\"1", r.key());
            assertEquals(want, r.events());
        }
        SpoolRecord single = SpoolRecord.parse(line(null, " " + b + "\n", false));
        assertNull(single.key());
        assertEquals(List.of(want.get(1)), single.events());
    }

    @Test
    void tornLineIsAnError() {
        String l = line("k", "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1}", false);
        assertThrows(IOException.class, () -> SpoolRecord.parse(l.substring(0, l.length() / 2)));
    }
}
