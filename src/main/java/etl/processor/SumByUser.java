package etl.processor;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

import etl.spool.SpoolRecord;

/**
 * The processor's aggregation by userId, for the splits of {@code outbox-file} (a file's requests) and
 * {@code outbox-batch} (a batch's files): each part's body joins the {@link UserSums} that becomes the split's result.
 * A part's body is a request to apply (a {@link SpoolRecord}: its events are added per user at once, into the batch's
 * table that the {@link BatchPlan} of header {@link BatchSteps#PLAN} holds), the {@link UserSums} of a file or of a
 * request that is not summed (a repeat, an unreadable line, a request set aside or applied alone), or nothing (a blank
 * line). A part that failed
 * fails the whole: its exception is carried to the result, so that the transaction rolls back instead of committing
 * without that part.
 */
public final class SumByUser implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Exchange result = oldExchange != null ? oldExchange : newExchange;
        if (newExchange.getException() != null) {
            result.setException(newExchange.getException());
            return result;
        }
        Object part = newExchange.getMessage().getBody();
        UserSums sums;
        if (oldExchange == null) {
            // the first part's exchange holds the result; in a batch, its sums are the batch's table (BatchPlan#table)
            BatchPlan plan = BatchSteps.plan(newExchange);
            sums = plan != null ? new UserSums(plan.table()) : new UserSums();
            newExchange.getMessage().setBody(sums);
        } else {
            if (result.getException() != null) {
                return result;
            }
            sums = result.getMessage().getBody(UserSums.class);
        }
        if (part instanceof SpoolRecord record) {
            sums.add(record);
        } else if (part instanceof UserSums s) {
            sums.add(s);
        }
        return result;
    }
}
