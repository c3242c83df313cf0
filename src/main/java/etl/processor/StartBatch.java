package etl.processor;

import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The first step of a processor transaction: the oldest outbox files (one listing), as many as the backoff allows
 * (one while failing or isolating) and as many as fit in the batch's bytes if that is bounded (at least one), become
 * the body, and the {@link BatchPlan} header {@link BatchSteps#PLAN}: the files (taken one after another while the
 * batch's sums hold less than their bound), whether the listing was full, whether they are applied one request at a
 * time.
 * <p>
 * Why a bound on the sums' memory: a batch holds one sum per distinct user of its files until it commits, and
 * files-per-batch alone does not bound that. Sixty files of 50,000 distinct users each (a backlog after a processor
 * stopped) ran a {@code -Xmx256m} processor out of memory: the batch failed, and threads of other routes died with
 * {@code OutOfMemoryError} (the spool writer's too, which a process with the server role needs); under a supervisor
 * that restarts on it, every start took the same batch again. So a batch takes no further file once its sums hold
 * {@code etl.processor.batch-memory} bytes (by default an eighth of the heap): a batch of 10,000 users is never cut,
 * one of a million distinct users with short ids under a 2 GB heap neither, and the backlog above went through a
 * 256 MB heap in batches of a few files.
 * <p>
 * The bound in bytes ({@code etl.processor.batch-bytes}, off unless set) bounds a batch's length instead, from the
 * files' sizes before it starts: it cuts every large batch, whatever its users (a million events for 10,000 users took
 * 0.71-0.92 s instead of 0.53-0.65 s in four batches of 16 MB).
 */
public final class StartBatch implements Processor {

    private final OutboxFiles outbox;
    private final Backoff backoff;
    private final int filesPerBatch;
    private final long batchBytes;
    private final long batchMemory;

    /**
     * {@code batchBytes}: the outbox files' bytes that one batch takes at most (its first file whatever its size);
     * {@code batchMemory}: the bytes of sums after which a batch takes no further file ({@link #batchMemory}).
     */
    public StartBatch(OutboxFiles outbox, Backoff backoff, int filesPerBatch, long batchBytes, long batchMemory) {
        this.outbox = outbox;
        this.backoff = backoff;
        this.filesPerBatch = filesPerBatch;
        this.batchBytes = batchBytes;
        this.batchMemory = batchMemory;
    }

    /** The setting {@code etl.processor.batch-memory}: 0, an eighth of the heap the JVM may use ({@code -Xmx}). */
    public static long batchMemory(long setting) {
        return setting > 0 ? setting : Runtime.getRuntime().maxMemory() / 8;
    }

    /** The setting {@code etl.processor.batch-bytes}: 0, no bound but files-per-batch. */
    public static long batchBytes(long setting) {
        return setting > 0 ? setting : Long.MAX_VALUE;
    }

    @Override
    public void process(Exchange exchange) {
        int max = backoff.filesPerBatch(filesPerBatch);
        List<String> listed = outbox.oldest(max);
        // without a bound, no file's size is asked for (a stat per file, up to 200 a batch)
        List<String> files = batchBytes == Long.MAX_VALUE ? listed : outbox.within(listed, batchBytes);
        BatchPlan plan = new BatchPlan(files, listed.size() >= max || files.size() < listed.size(),
                backoff.isolating(files.isEmpty() ? null : files.get(0)), System.nanoTime(), batchMemory);
        exchange.getMessage().setHeader(BatchSteps.PLAN, plan);
        exchange.getMessage().setBody(files);
    }
}
