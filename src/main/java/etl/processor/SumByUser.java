package etl.processor;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * The processor's aggregation: the {@link Sums} of the parts of a split (the requests of a file, the files of a batch)
 * added up into one, per user, exact. A part that failed fails the whole: its exception is carried to the result (a
 * custom strategy that dropped it would let the batch commit without that part).
 */
public final class SumByUser implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        if (newExchange.getException() != null) {
            if (oldExchange == null) {
                return newExchange;
            }
            oldExchange.setException(newExchange.getException());
            return oldExchange;
        }
        Sums part = newExchange.getMessage().getBody() instanceof Sums s ? s : new Sums();
        if (oldExchange == null) {
            newExchange.getMessage().setBody(part);
            return newExchange;
        }
        if (oldExchange.getException() == null) {
            ((Sums) oldExchange.getMessage().getBody()).merge(part);
        }
        return oldExchange;
    }
}
