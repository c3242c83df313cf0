package etl.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;

import org.junit.jupiter.api.Test;

import etl.event.Event;

class SpoolRecordTest {

    @Test
    void roundTripKeepsKeyUnicodeAndExactValues() throws IOException {
        SpoolRecord r = new SpoolRecord("k\"1\n", List.of(
                new Event("ü \"x\"\n\t", Event.ADD, new BigDecimal("0.10")),
                new Event("u2", Event.SUBTRACT, new BigDecimal("1000000000000000.99"))));
        String line = r.toLine();
        assertTrue(line.endsWith("\n"));
        assertEquals(1, line.split("\n", -1).length - 1, "one line per request");
        SpoolRecord back = SpoolRecord.parse(line);
        assertEquals(r.key(), back.key());
        assertEquals(r.events(), back.events());
    }

    @Test
    void nullKey() throws IOException {
        assertNull(SpoolRecord.parse(new SpoolRecord(null, List.of()).toLine()).key());
    }

    @Test
    void tornLineIsAnError() {
        String line = new SpoolRecord("k", List.of(new Event("u", Event.ADD, BigDecimal.ONE))).toLine();
        assertThrows(IOException.class, () -> SpoolRecord.parse(line.substring(0, line.length() / 2)));
    }
}
