package etl.processor;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * The aggregation of {@code outbox-batch}'s split over its files: each file's {@link UserSums} joins the batch's, as
 * {@link SumByUser} adds them, and then the batch's {@link BatchPlan} learns what the sums hold now
 * ({@link UserSums#heldBytes}), so that the split takes no further file once they hold the batch's bound.
 */
public final class SumFiles implements AggregationStrategy {

    private final SumByUser sum = new SumByUser();

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Exchange result = sum.aggregate(oldExchange, newExchange);
        BatchPlan plan = BatchSteps.plan(result);
        if (plan != null && result.getException() == null && result.getMessage().getBody() instanceof UserSums sums) {
            plan.held(sums.heldBytes());
        }
        return result;
    }
}
