package etl.processor;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The first step of a processor transaction: a new {@link OutboxBatch} in the exchange property
 * {@link OutboxBatch#PROPERTY}, the oldest outbox files as the body (one listing), as many as the backoff allows (one
 * while failing or isolating), and whether they are applied one request at a time.
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
        OutboxBatch batch = new OutboxBatch(backoff.filesPerBatch(filesPerBatch));
        batch.take(outbox.oldest(batch.maxFiles()));
        batch.isolate(backoff.isolating(batch.firstListed()));
        exchange.setProperty(OutboxBatch.PROPERTY, batch);
        exchange.getMessage().setBody(batch.listed());
    }
}
