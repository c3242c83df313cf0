package etl.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesUpToTheMaximumAndResetsOnSuccess() throws Exception {
        Backoff b = new Backoff(1, 5, () -> false);
        b.failed(new Exception("down"));
        assertEquals(2, b.nextWaitMillis());
        b.failed(null);
        b.failed(null);
        assertEquals(5, b.nextWaitMillis());
        b.succeeded();
        assertEquals(1, b.nextWaitMillis());
    }

    @Test
    void doesNotWaitWhileStopping() throws Exception {
        Backoff b = new Backoff(60_000, 60_000, () -> true);
        long t0 = System.nanoTime();
        b.failed(new Exception("down"));
        assertEquals(true, (System.nanoTime() - t0) < 1_000_000_000L);
    }
}
