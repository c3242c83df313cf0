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
        return start(filesPerBatch, StartBatch.batchBytes(0));
    }

    private BatchPlan start(int filesPerBatch, long batchBytes) throws Exception {
        Exchange e = new DefaultExchange(new DefaultCamelContext());
        new StartBatch(new OutboxFiles(outbox, true), new Backoff(1, 1, () -> false), filesPerBatch, batchBytes,
                Long.MAX_VALUE)
                .process(e);
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

    /**
     * A bound in bytes (etl.processor.batch-bytes) cuts the listing at the file that would go over it, oldest first; the
     * first file is taken whatever its size (else a large file would never be applied), and a cut batch counts as full
     * (the next follows at once). The files' bytes are garbage of every kind: only their sizes count here.
     */
    @Test
    void aBoundInBytesCutsTheBatchButAlwaysTakesTheFirstFile() throws Exception {
        byte[] garbage = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 0, (byte) 0xC3, (byte) 0xED, (byte) 0xA0, (byte) 0x80, '[',
            '[', '\n'};
        for (int i = 1; i <= 4; i++) {
            byte[] body = new byte[garbage.length * i * 10];
            for (int j = 0; j < body.length; j++) {
                body[j] = garbage[j % garbage.length];
            }
            Files.write(outbox.resolve(i + "-1-1.jsonl"), body); // 110, 220, 330, 440 bytes
        }
        BatchPlan cut = start(200, 400);
        assertEquals(List.of("1-1-1.jsonl", "2-1-1.jsonl"), cut.files(), "110 + 220 fit in 400, + 330 does not");
        assertTrue(cut.full(), "more are waiting");
        BatchPlan first = start(200, 50);
        assertEquals(List.of("1-1-1.jsonl"), first.files(), "the first file whatever its size");
        BatchPlan all = start(200);
        assertEquals(4, all.files().size(), "no bound: the listing");
        assertFalse(all.full());
        assertEquals(Long.MAX_VALUE, StartBatch.batchBytes(0));
        assertEquals(4096, StartBatch.batchBytes(4096));
        Files.delete(outbox.resolve("2-1-1.jsonl"));
        assertEquals(List.of("1-1-1.jsonl", "2-1-1.jsonl", "3-1-1.jsonl"), new OutboxFiles(outbox, true).within(
                List.of("1-1-1.jsonl", "2-1-1.jsonl", "3-1-1.jsonl", "4-1-1.jsonl"), 500),
                "a file gone meanwhile (applied by another processor) stays listed and counts nothing: 110 + 0 + 330");
    }
}
