package etl.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import etl.event.Event;
import etl.spool.SpoolRecord;

/**
 * A batch's files, taken while its sums hold less than the bound ({@link BatchPlan}), what the sums say they hold
 * ({@link UserSums#heldBytes}), and the aggregation that tells the plan ({@link SumFiles}), directly.
 */
class BatchPlanTest {

    private static final List<String> FILES = List.of("1-a-1.jsonl", "2-a-1.jsonl", "3-a-1.jsonl");

    @Test
    void filesAreTakenWhileTheSumsHoldLessThanTheBoundAndTheFirstWhateverItHolds() {
        BatchPlan plan = new BatchPlan(FILES, false, false, 0, 1000);
        plan.held(5000); // over the bound before any file: the first is taken all the same
        assertTrue(plan.take("1-a-1.jsonl"));
        assertFalse(plan.take("2-a-1.jsonl"), "held 5000 of 1000");
        plan.held(0);
        assertFalse(plan.take("3-a-1.jsonl"), "once a file is left, every later one is (spool order)");
        assertEquals(List.of("1-a-1.jsonl"), plan.taken(), "only the file read leaves the outbox");
        assertTrue(plan.cut());
        assertTrue(plan.full(), "a cut batch is followed by the next at once");
        assertEquals(FILES, plan.files(), "the listing stays as listed (the backoff isolates through its last)");
    }

    @Test
    void aBatchUnderTheBoundTakesTheWholeListing() {
        BatchPlan plan = new BatchPlan(FILES, false, false, 0, 1000);
        for (String f : FILES) {
            assertTrue(plan.take(f), f);
            plan.held(999);
        }
        assertEquals(FILES, plan.taken());
        assertFalse(plan.cut(), "every file taken: not cut, though its sums came close");
        assertFalse(plan.full());
        assertFalse(plan.take("4-a-1.jsonl"), "not in the listing");
        // a plan with no bound takes every file
        BatchPlan unbounded = new BatchPlan(FILES, true, false, 0, Long.MAX_VALUE);
        unbounded.held(Long.MAX_VALUE - 1);
        for (String f : FILES) {
            assertTrue(unbounded.take(f), f);
        }
        assertTrue(unbounded.full(), "the listing was full");
        // a name out of the listing's order (never given by the split) is left, and everything after it
        BatchPlan odd = new BatchPlan(FILES, false, false, 0, Long.MAX_VALUE);
        assertFalse(odd.take("2-a-1.jsonl"));
        assertFalse(odd.take("1-a-1.jsonl"));
        assertEquals(List.of(), odd.taken());
    }

    /**
     * What the sums say they hold grows with their users and with the bytes of their ids (not their characters): a
     * 4-byte character counts 4. Hostile ids (a BOM, NUL, a lone surrogate's replacement, a 255-character id) count
     * like any other.
     */
    @Test
    void theSumsHoldBytesByUserAndByTheIdsBytes() {
        UserSums none = new UserSums();
        assertEquals(0, none.heldBytes());
        String[] ids = {"a", "\uFEFFbom", "nul\u0000", "lone\uFFFD", "emoji\uD83D\uDE00", "x".repeat(255)};
        List<Event> events = new ArrayList<>();
        long idBytes = 0;
        for (String id : ids) {
            events.add(new Event(id, Event.ADD, BigDecimal.ONE));
            events.add(new Event(id, Event.SUBTRACT, new BigDecimal("0.50"))); // a user twice counts once
            idBytes += id.getBytes(StandardCharsets.UTF_8).length;
        }
        UserSums sums = new UserSums().add(new SpoolRecord(null, events));
        assertEquals(ids.length * UserSums.BYTES_PER_USER + 3 * idBytes, sums.heldBytes());
        assertEquals(ids.length, sums.userCount());
    }

    /** SumFiles adds each file's sums as SumByUser does, then tells the plan (in the header) what the batch holds. */
    @Test
    void sumFilesTellsThePlanWhatTheBatchHoldsAfterEachFile() {
        CamelContext camel = new DefaultCamelContext();
        BatchPlan plan = new BatchPlan(FILES, false, false, 0, 1);
        SumFiles strategy = new SumFiles();
        Exchange result = null;
        long before = 0;
        for (int f = 0; f < 2; f++) {
            UserSums file = new UserSums().add(new SpoolRecord(null, List.of(
                    new Event("user-" + f, Event.ADD, BigDecimal.TEN)))).fileApplied(FILES.get(f));
            Exchange part = new DefaultExchange(camel);
            part.getMessage().setHeader(BatchSteps.PLAN, plan);
            part.getMessage().setBody(file);
            result = strategy.aggregate(result, part);
            UserSums batch = result.getMessage().getBody(UserSums.class);
            assertEquals(f + 1, batch.userCount());
            assertTrue(batch.heldBytes() > before);
            before = batch.heldBytes();
        }
        // the plan heard the last figure: it takes nothing past the first file at this bound
        assertTrue(plan.take("1-a-1.jsonl"));
        assertFalse(plan.take("2-a-1.jsonl"), "the plan did not learn what the sums hold");
        // a failed file: its exception is the result, and the plan hears nothing more
        BatchPlan other = new BatchPlan(FILES, false, false, 0, 1);
        Exchange failed = new DefaultExchange(camel);
        failed.getMessage().setHeader(BatchSteps.PLAN, other);
        failed.getMessage().setBody("1-a-1.jsonl");
        failed.setException(new IllegalStateException("the database went away"));
        Exchange r = strategy.aggregate(null, failed);
        assertTrue(r.getException() instanceof IllegalStateException);
        assertTrue(other.take("1-a-1.jsonl"));
        assertTrue(other.take("2-a-1.jsonl"), "nothing held was reported for a failed file");
    }
}
