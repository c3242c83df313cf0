package etl.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartBatchTest {

    @TempDir
    Path outbox;

    private BatchPlan start(int filesPerBatch) throws Exception {
        Exchange e = new DefaultExchange(new DefaultCamelContext());
        new StartBatch(new OutboxFiles(outbox, true), new Backoff(1, 1, () -> false), filesPerBatch).process(e);
        BatchPlan plan = e.getMessage().getHeader(BatchSteps.PLAN, BatchPlan.class);
        assertEquals(plan.files(), e.getMessage().getBody(List.class), "the body is the listing");
        return plan;
    }

    @Test
    void aBatchIsFullWhenTheListingFilledIt() throws Exception {
        Files.writeString(outbox.resolve("1-1-1.jsonl"), "\n");
        Files.writeString(outbox.resolve("2-1-1.jsonl"), "\n");
        BatchPlan full = start(2);
        assertEquals(List.of("1-1-1.jsonl", "2-1-1.jsonl"), full.files());
        assertTrue(full.full());
        assertFalse(full.isolated());
        BatchPlan notFull = start(3);
        assertFalse(notFull.full());
        assertEquals("1-1-1.jsonl", notFull.first());
    }
}
