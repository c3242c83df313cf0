package etl.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import etl.event.Event;
import etl.spool.SpoolRecord;

/** The batch's plan, its sums ({@link Sums}) and their aggregation ({@link SumByUser}). */
class OutboxBatchTest {

    private final DefaultCamelContext context = new DefaultCamelContext();

    private Exchange part(Object body) {
        Exchange e = new DefaultExchange(context);
        e.getMessage().setBody(body);
        return e;
    }

    @Test
    void sumsAreExactDecimalAcrossFilesAndSortedByUser() {
        Sums f1 = Sums.of(new SpoolRecord(null, List.of(
                new Event("b", Event.ADD, new BigDecimal("0.10")),
                new Event("a", Event.ADD, new BigDecimal("5.00"))))).fileApplied("f1");
        Sums f2 = Sums.of(new SpoolRecord("k", List.of(
                new Event("b", Event.ADD, new BigDecimal("0.20")),
                new Event("a", Event.SUBTRACT, new BigDecimal("7.50"))))).fileApplied("f2");
        // as Camel's splitter adds them up: the first part becomes the result, the others are merged into it
        SumByUser strategy = new SumByUser();
        Exchange total = strategy.aggregate(strategy.aggregate(null, part(f1)), part(f2));
        Sums b = total.getMessage().getBody(Sums.class);
        assertArrayEquals(new String[] {"a", "b"}, b.users());
        assertArrayEquals(new String[] {"-2.50", "0.30"}, b.amounts());
        assertTrue(b.summary(System.nanoTime(), false).contains("2 files"), b.summary(System.nanoTime(), false));
    }

    @Test
    void duplicatesAreCountedNotSummed() {
        Sums b = Sums.duplicate(new SpoolRecord("k", List.of(new Event("a", Event.ADD, BigDecimal.TEN))));
        assertTrue(b.users().length == 0);
        assertTrue(b.summary(System.nanoTime(), false).contains("skipped 1 repeated requests"));
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
        Sums b = Sums.unreadable("f", 1, "{\"key\":null,\"events\":[{\"userId\"", "torn");
        assertEquals(0, b.userCount());
        assertTrue(b.summary(System.nanoTime(), false).contains("1 unreadable"));
        assertEquals(1, b.rejected().get("f").get(0).line());
    }

    @Test
    void aFailedPartFailsTheWhole() {
        SumByUser strategy = new SumByUser();
        Exchange first = strategy.aggregate(null, part(Sums.of(new SpoolRecord(null,
                List.of(new Event("a", Event.ADD, BigDecimal.ONE))))));
        Exchange failed = part("line");
        failed.setException(new IllegalStateException("the key claim failed"));
        Exchange result = strategy.aggregate(first, failed);
        assertSame(failed.getException(), result.getException(), "a dropped exception would commit the batch");
        Exchange firstFailed = strategy.aggregate(null, failed);
        assertSame(failed.getException(), firstFailed.getException());
    }

    @Test
    void aPartThatIsNotSumsCountsForNothing() {
        Exchange result = new SumByUser().aggregate(null, part("not sums"));
        assertEquals(0, result.getMessage().getBody(Sums.class).userCount());
    }
}
