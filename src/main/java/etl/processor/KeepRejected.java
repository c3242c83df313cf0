package etl.processor;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Before a batch commits: the lines it did not apply (torn lines, requests set aside; in the
 * batch's {@link UserSums}, the body) are written to
 * {@code outbox/.rejected/}, each file's whole and forced to disk. Should the commit fail, the batch is tried again and
 * writes the same files again.
 */
public final class KeepRejected implements Processor {

    private final OutboxFiles outbox;

    public KeepRejected(OutboxFiles outbox) {
        this.outbox = outbox;
    }

    @Override
    public void process(Exchange exchange) throws IOException {
        UserSums sums = exchange.getMessage().getBody(UserSums.class);
        for (Map.Entry<String, List<OutboxFiles.Rejected>> e : sums.rejected().entrySet()) {
            outbox.quarantine(e.getKey(), e.getValue());
        }
    }
}
