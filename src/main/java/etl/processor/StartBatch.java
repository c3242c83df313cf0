package etl.processor;

import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The first step of a processor transaction: the oldest outbox files (one listing) become the body, as many as the
 * backoff allows (one while failing or isolating) and as many as fit in the batch's bytes (at least one), and the
 * {@link BatchPlan} header {@link BatchSteps#PLAN}: the files, whether the listing was full (or cut by the bytes: more
 * are waiting), whether they are applied one request at a time.
 * <p>
 * Why a bound in bytes: a batch holds one sum per distinct user of its files until it commits, and files-per-batch
 * alone does not bound that. Sixty files of 50,000 distinct users each (a backlog after a processor stopped) ran a
 * {@code -Xmx256m} processor out of memory: the batch failed, and threads of other routes died with
 * {@code OutOfMemoryError} (the spool writer's too, which a process with the server role needs); under a supervisor
 * that restarts on it, every start took the same batch again. A batch's users are at most its events, its events at
 * most its bytes over the smallest event's size, so bytes bound the memory whatever the users. It is off unless set
 * ({@code etl.processor.batch-bytes}): a bound small enough for the worst case cuts every large batch, whatever its
 * users (a million events for 10,000 users took 0.71-0.92 s instead of 0.53-0.65 s in four batches of 16 MB).
 */
public final class StartBatch implements Processor {

    private final OutboxFiles outbox;
    private final Backoff backoff;
    private final int filesPerBatch;
    private final long batchBytes;

    /** {@code batchBytes}: the outbox files' bytes that one batch takes at most (its first file whatever its size). */
    public StartBatch(OutboxFiles outbox, Backoff backoff, int filesPerBatch, long batchBytes) {
        this.outbox = outbox;
        this.backoff = backoff;
        this.filesPerBatch = filesPerBatch;
        this.batchBytes = batchBytes;
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
                backoff.isolating(files.isEmpty() ? null : files.get(0)), System.nanoTime());
        exchange.getMessage().setHeader(BatchSteps.PLAN, plan);
        exchange.getMessage().setBody(files);
    }
}
