package etl.processor;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The processor's error handler, run in the polling route once the failed batch's transaction has rolled back: hands
 * the failure and the batch's {@link BatchPlan} to the {@link Backoff}, which isolates the batch's files (a request the database refuses
 * for good) or waits (a failure that passes). Nothing is held while it waits.
 */
public final class BatchFailed implements Processor {

    private final Backoff backoff;

    public BatchFailed(Backoff backoff) {
        this.backoff = backoff;
    }

    @Override
    public void process(Exchange exchange) throws InterruptedException {
        backoff.failed(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class),
                exchange.getMessage().getHeader(BatchSteps.PLAN, BatchPlan.class));
    }
}
