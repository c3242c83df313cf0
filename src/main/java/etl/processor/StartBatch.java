package etl.processor;

import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The first step of a processor transaction: the oldest outbox files (one listing) become the body, as many as the
 * backoff allows (one while failing or isolating), and the {@link BatchPlan} header {@link BatchSteps#PLAN}: the
 * files, whether the listing was full, whether they are applied one request at a time.
 */
public final class StartBatch implements Processor {

    private final OutboxFiles outbox;
    private final Backoff backoff;
    private final int filesPerBatch;

    public StartBatch(OutboxFiles outbox, Backoff backoff, int filesPerBatch) {
        this.outbox = outbox;
        this.backoff = backoff;
        this.filesPerBatch = filesPerBatch;
    }

    @Override
    public void process(Exchange exchange) {
        int max = backoff.filesPerBatch(filesPerBatch);
        List<String> files = outbox.oldest(max);
        BatchPlan plan = new BatchPlan(files, files.size() >= max,
                backoff.isolating(files.isEmpty() ? null : files.get(0)), System.nanoTime());
        exchange.getMessage().setHeader(BatchSteps.PLAN, plan);
        exchange.getMessage().setBody(files);
    }
}
