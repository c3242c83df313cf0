package etl.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesUpToTheMaximumAndResetsOnSuccess() throws Exception {
        Backoff b = new Backoff(1, 5, () -> false);
        b.failed(new Exception("down"), null);
        assertEquals(2, b.nextWaitMillis());
        b.failed(null, null);
        b.failed(null, null);
        assertEquals(5, b.nextWaitMillis());
        b.succeeded();
        assertEquals(1, b.nextWaitMillis());
    }

    @Test
    void doesNotWaitWhileStopping() throws Exception {
        Backoff b = new Backoff(60_000, 60_000, () -> true);
        long t0 = System.nanoTime();
        b.failed(new Exception("down"), null);
        assertEquals(true, (System.nanoTime() - t0) < 1_000_000_000L);
    }

    @Test
    void aRefusedRequestIsolatesTheFailedFilesWithoutWaiting() throws Exception {
        Backoff b = new Backoff(60_000, 60_000, () -> false);
        BatchPlan failed = new BatchPlan(java.util.List.of("001.jsonl", "002.jsonl", "003.jsonl"), false, false, 0,
                Long.MAX_VALUE);
        long t0 = System.nanoTime();
        b.failed(new java.sql.SQLException("numeric field overflow", "22003"), failed);
        assertEquals(true, (System.nanoTime() - t0) < 1_000_000_000L, "no wait for a refused request");
        assertEquals(1, b.filesPerBatch(200));
        assertEquals(true, b.isolating("002.jsonl"));
        assertEquals(true, b.isolating("003.jsonl"));
        assertEquals(false, b.isolating("004.jsonl"), "past the failed files, batches are whole again");
        assertEquals(200, b.filesPerBatch(200));
    }

    @Test
    void anIsolatedBatchThatFailsWaitsInsteadOfLooping() throws Exception {
        Backoff b = new Backoff(1, 5, () -> false);
        BatchPlan isolated = new BatchPlan(java.util.List.of("001.jsonl"), true, true, 0, Long.MAX_VALUE);
        b.failed(new java.sql.SQLException("numeric field overflow", "22003"), isolated);
        assertEquals(2, b.nextWaitMillis());
    }
}
