package etl.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;

import org.junit.jupiter.api.Test;

import etl.event.Event;
import etl.spool.SpoolRecord;

class OutboxBatchTest {

    @Test
    void sumsAreExactDecimalAcrossFilesAndSortedByUser() {
        OutboxBatch b = new OutboxBatch(10);
        b.startFile("f1");
        b.apply(new SpoolRecord(null, List.of(
                new Event("b", Event.ADD, new BigDecimal("0.10")),
                new Event("a", Event.ADD, new BigDecimal("5.00")))));
        b.startFile("f2");
        b.apply(new SpoolRecord("k", List.of(
                new Event("b", Event.ADD, new BigDecimal("0.20")),
                new Event("a", Event.SUBTRACT, new BigDecimal("7.50")))));
        assertArrayEquals(new String[] {"a", "b"}, b.users());
        assertArrayEquals(new String[] {"-2.50", "0.30"}, b.amounts());
        assertTrue(b.summary().contains("2 files"), b.summary());
    }

    @Test
    void duplicatesAreCountedNotSummed() {
        OutboxBatch b = new OutboxBatch(10);
        b.startFile("f");
        b.duplicate(new SpoolRecord("k", List.of(new Event("a", Event.ADD, BigDecimal.TEN))));
        assertTrue(b.users().length == 0);
        assertTrue(b.summary().contains("skipped 1 repeated requests"), b.summary());
    }

    @Test
    void aBatchIsFullWhenTheListingFilledIt() {
        OutboxBatch b = new OutboxBatch(2);
        assertEquals(List.of("1.jsonl", "2.jsonl"), b.take(List.of("1.jsonl", "2.jsonl")));
        assertTrue(b.full());
        OutboxBatch c = new OutboxBatch(2);
        c.take(List.of("1.jsonl"));
        assertFalse(c.full());
        assertEquals(List.of("1.jsonl"), c.listed());
    }

    @Test
    void unreadableLineIsSkipped() {
        OutboxBatch b = new OutboxBatch(1);
        assertNull(b.read("{\"key\":null,\"events\":[{\"userId\""));
        assertNull(b.read(""));
        assertTrue(b.summary().contains("1 unreadable"), b.summary());
    }
}
