package etl.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import etl.event.Event;
import etl.spool.SpoolRecord;

class OutboxBatchTest {

    @Test
    void sumsAreExactDecimalAndSortedByUser() {
        OutboxBatch b = new OutboxBatch("f");
        b.apply(new SpoolRecord(null, List.of(
                new Event("b", Event.ADD, new BigDecimal("0.1")),
                new Event("a", Event.ADD, new BigDecimal("5")),
                new Event("b", Event.ADD, new BigDecimal("0.2")),
                new Event("a", Event.SUBTRACT, new BigDecimal("7.5")))));
        List<Map<String, Object>> rows = b.rows();
        assertEquals("a", rows.get(0).get("userId"));
        assertEquals(0, new BigDecimal("-2.5").compareTo((BigDecimal) rows.get(0).get("amount")));
        assertEquals(0, new BigDecimal("0.3").compareTo((BigDecimal) rows.get(1).get("amount")));
    }

    @Test
    void duplicatesAreCountedNotSummed() {
        OutboxBatch b = new OutboxBatch("f");
        b.duplicate(new SpoolRecord("k", List.of(new Event("a", Event.ADD, BigDecimal.TEN))));
        assertTrue(b.rows().isEmpty());
        assertTrue(b.summary().contains("skipped 1 repeated requests"), b.summary());
    }

    @Test
    void unreadableLineIsSkipped() {
        OutboxBatch b = new OutboxBatch("f");
        assertNull(b.read("{\"key\":null,\"events\":[{\"userId\""));
        assertNull(b.read(""));
        assertTrue(b.summary().contains("1 unreadable"), b.summary());
    }
}
