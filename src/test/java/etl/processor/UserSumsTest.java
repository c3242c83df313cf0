package etl.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import etl.event.Event;
import etl.spool.SpoolRecord;

/** The processor's aggregation by userId: {@link UserSums} and the {@link SumByUser} strategy, directly. */
class UserSumsTest {

    private final CamelContext camel = new DefaultCamelContext();
    private final SumByUser strategy = new SumByUser();

    private Exchange part(Object body) {
        Exchange e = new DefaultExchange(camel);
        e.getMessage().setBody(body);
        return e;
    }

    /** What Camel's splitter does with the parts' exchanges: folds them in order, the first holding the result. */
    private UserSums aggregate(Object... bodies) {
        Exchange result = null;
        for (Object body : bodies) {
            result = strategy.aggregate(result, part(body));
        }
        return result.getMessage().getBody(UserSums.class);
    }

    /** The same, with the parts of one batch: each carries the batch's plan (header etlBatch), as the routes' do. */
    private UserSums aggregate(BatchPlan plan, Object... bodies) {
        Exchange result = null;
        for (Object body : bodies) {
            Exchange part = part(body);
            part.getMessage().setHeader(BatchSteps.PLAN, plan);
            result = strategy.aggregate(result, part);
        }
        return result.getMessage().getBody(UserSums.class);
    }

    /** The users and their amounts as one map (the UPSERT sorts them itself: these come in no order). */
    private static java.util.Map<String, String> totals(UserSums s) {
        return s.totals();
    }

    @Test
    void sumsAreExactDecimalAcrossFiles() {
        UserSums f1 = aggregate(new SpoolRecord(null, List.of(
                new Event("b", Event.ADD, new BigDecimal("0.10")),
                new Event("a", Event.ADD, new BigDecimal("5.00"))))).fileApplied("f1");
        UserSums f2 = aggregate(new SpoolRecord("k", List.of(
                new Event("b", Event.ADD, new BigDecimal("0.20")),
                new Event("a", Event.SUBTRACT, new BigDecimal("7.50"))))).fileApplied("f2");
        UserSums b = aggregate(f1, f2);
        assertEquals(java.util.Map.of("a", "-2.50", "b", "0.30"), totals(b));
        assertTrue(b.summary(System.nanoTime(), false).contains("2 files"), b.summary(0, false));
        assertTrue(b.summary(System.nanoTime(), false).contains("applied 4 events of 2 requests to 2 users"));
    }

    /**
     * In a batch, a request's events go into the plan's table as the request is added, and adding a file's sums to the
     * batch's adds its counts but not its events again: the same totals and counts as sums of their own.
     */
    @Test
    void aBatchsRequestsAreSummedOnceIntoItsPlansTable() {
        BatchPlan plan = new BatchPlan(List.of("f1", "f2"), false, false, System.nanoTime(), Long.MAX_VALUE);
        SpoolRecord r1 = new SpoolRecord(null, List.of(new Event("b", Event.ADD, new BigDecimal("0.10")),
                new Event("a", Event.ADD, new BigDecimal("5.00"))));
        SpoolRecord r2 = new SpoolRecord("k", List.of(new Event("b", Event.ADD, new BigDecimal("0.20")),
                new Event("a", Event.SUBTRACT, new BigDecimal("7.50"))));
        SpoolRecord repeat = new SpoolRecord("old", List.of(new Event("c", Event.ADD, BigDecimal.TEN)));
        UserSums f1 = aggregate(plan, UserSums.repeated(repeat), r1).fileApplied("f1");
        assertEquals(java.util.Map.of("a", "5.00", "b", "0.10"), totals(f1), "summed as it came");
        UserSums f2 = aggregate(plan, r2, UserSums.unreadable("f2", 2, "@1\tcut", "torn"), null).fileApplied("f2");
        UserSums batch = aggregate(plan, f1, f2);
        UserSums alone = aggregate(aggregate(UserSums.repeated(repeat), r1).fileApplied("f1"),
                aggregate(r2, UserSums.unreadable("f2", 2, "@1\tcut", "torn"), null).fileApplied("f2"));
        assertEquals(java.util.Map.of("a", "-2.50", "b", "0.30"), totals(batch));
        assertEquals(totals(alone), totals(batch));
        String summary = batch.summary(System.nanoTime(), false).replaceAll(" in \\d+ ms", "");
        assertEquals(alone.summary(System.nanoTime(), false).replaceAll(" in \\d+ ms", ""), summary);
        assertTrue(summary.contains("applied 4 events of 2 requests to 2 users"), summary);
        assertEquals(alone.heldBytes(), batch.heldBytes());
    }

    /**
     * A spool line read by the fast reader (events as places in the line and cents) sums to what the same events sum
     * to as Events, whatever the mix: user ids beyond ASCII (read by the validator), subtract events of 0, values of
     * 16 digits whose sums leave a long's range.
     */
    @Test
    void theFastReadersEventsSumAsEventsDo() throws Exception {
        java.util.Random r = new java.util.Random(5);
        String[] users = {"a", "b", "user 1", "x".repeat(200), "ü"};
        UserSums fast = new UserSums();
        UserSums slow = new UserSums();
        int readFast = 0;
        for (int n = 0; n < 200; n++) {
            List<Event> events = new java.util.ArrayList<>();
            int pool = n % 10 == 0 ? users.length : users.length - 1; // one line in ten may hold "ü" (the validator)
            for (int i = 0; i < 1 + r.nextInt(20); i++) {
                long cents = r.nextInt(10) == 0 ? 9_999_999_999_999_999L : r.nextInt(3) == 0 ? 0 : r.nextInt(100_000);
                events.add(new Event(users[r.nextInt(pool)], r.nextBoolean() ? Event.ADD : Event.SUBTRACT,
                        BigDecimal.valueOf(cents, 2)));
            }
            byte[] line = SpoolRecord.line(null, events);
            SpoolRecord read = SpoolRecord.read(java.util.Arrays.copyOf(line, line.length - 1));
            readFast += read.events() instanceof etl.event.CompactEvents ? 1 : 0;
            fast.add(read);
            slow.add(new SpoolRecord(null, events));
        }
        assertEquals(totals(slow), totals(fast));
        assertEquals(users.length, totals(fast).size());
        assertTrue(readFast > 150, "lines taken by the fast reader: " + readFast);
    }

    @Test
    void duplicatesAreCountedNotSummed() {
        UserSums b = aggregate(UserSums.repeated(new SpoolRecord("k", List.of(new Event("a", Event.ADD,
                BigDecimal.TEN)))), new SpoolRecord(null, List.of(new Event("c", Event.ADD, BigDecimal.ONE))));
        assertEquals(java.util.Set.of("c"), b.totals().keySet());
        assertTrue(b.summary(0, false).contains("skipped 1 repeated requests"), b.summary(0, false));
    }

    @Test
    void blankLinesAddNothingAndAnEmptySplitHasNoSums() {
        UserSums b = aggregate(null, new SpoolRecord(null, List.of(new Event("a", Event.ADD, BigDecimal.ONE))), null);
        assertEquals(java.util.Set.of("a"), b.totals().keySet());
        assertEquals(0, aggregate((Object) null).userCount());
        assertFalse(aggregate((Object) null).appliedAnything());
    }

    @Test
    void unreadableLineIsKeptWithItsLineNumber() {
        UserSums b = aggregate(UserSums.unreadable("f", 3, "{\"key\":null,\"events\":[{\"userId\"", "cut"));
        assertTrue(b.summary(0, false).contains("1 unreadable"), b.summary(0, false));
        assertEquals(List.of(new OutboxFiles.Rejected(3, "unreadable: cut", "{\"key\":null,\"events\":[{\"userId\"")),
                b.rejected().get("f"));
    }

    @Test
    void aFailedPartFailsTheWholeEvenAfterOtherParts() {
        Exchange first = strategy.aggregate(null, part(new SpoolRecord(null, List.of(new Event("a", Event.ADD,
                BigDecimal.ONE)))));
        Exchange failed = part(null);
        failed.setException(new IllegalStateException("claim failed"));
        Exchange result = strategy.aggregate(first, failed);
        assertSame(first, result);
        assertTrue(result.getException() instanceof IllegalStateException);
        // a later part does not clear it
        assertTrue(strategy.aggregate(result, part(null)).getException() instanceof IllegalStateException);
        Exchange alone = part(null);
        alone.setException(new IllegalStateException("first part failed"));
        assertTrue(strategy.aggregate(null, alone).getException() != null);
    }
}
