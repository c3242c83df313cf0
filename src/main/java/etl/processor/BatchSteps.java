package etl.processor;

import java.io.IOException;
import java.nio.file.Files;

import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.support.ExpressionAdapter;

import etl.io.Lines;
import etl.metrics.EtlMetrics;
import etl.spool.SpoolRecord;

/**
 * The named steps of the processor's routes ({@code outbox-processor}, {@code outbox-batch}, {@code outbox-file},
 * {@code outbox-request}). The batch of the transaction in progress is the {@link OutboxBatch} in exchange property
 * {@link OutboxBatch#PROPERTY}; the file being read is the body of {@code outbox-file} (its name), a request the body
 * of {@code outbox-request} (its spool line), read into property {@link OutboxBatch#RECORD} with its key and event
 * count in headers {@link #KEY} and {@link #EVENTS} (the parameters of {@code sql/claim-key.sql}).
 */
public final class BatchSteps {

    public static final String KEY = "etlKey";
    public static final String EVENTS = "etlEvents";
    /** Exchange property: whether the polling route takes another batch at once. */
    public static final String MORE = "etlMore";

    private BatchSteps() {
    }

    static OutboxBatch batch(Exchange e) {
        return e.getProperty(OutboxBatch.PROPERTY, OutboxBatch.class);
    }

    static SpoolRecord record(Exchange e) {
        return e.getProperty(OutboxBatch.RECORD, SpoolRecord.class);
    }

    /** After the commit: the batch's files move to .done/ (or are deleted). */
    public static final class MoveApplied implements Processor {
        private final OutboxFiles outbox;

        public MoveApplied(OutboxFiles outbox) {
            this.outbox = outbox;
        }

        @Override
        public void process(Exchange e) {
            outbox.applied(batch(e).listed());
        }
    }

    /**
     * After the commit: the batch's figures go to the metrics and its set-aside requests to the log; another batch
     * follows at once ({@link #MORE}) when this one was full and applied something (a full batch that applied nothing,
     * its files applied by another process or not movable, waits for the next poll instead of listing them again).
     */
    public static final class Committed implements Processor {
        private final EtlMetrics metrics;

        public Committed(EtlMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void process(Exchange e) {
            OutboxBatch b = batch(e);
            b.committed(metrics);
            e.setProperty(MORE, b.full() && b.appliedAnything());
        }
    }

    /** A file whose name is in the applied-files repository: counted, not read. */
    public static final class FileAlreadyApplied implements Processor {
        @Override
        public void process(Exchange e) {
            batch(e).alreadyApplied(e.getMessage().getBody(String.class));
        }
    }

    /** A file to apply: the body, its name, becomes an iterator of its lines (one request a line). */
    public static final class OpenFile implements Processor {
        private final OutboxFiles outbox;

        public OpenFile(OutboxFiles outbox) {
            this.outbox = outbox;
        }

        @Override
        public void process(Exchange e) throws IOException {
            String name = e.getMessage().getBody(String.class);
            batch(e).startFile(name);
            e.getMessage().setBody(Lines.of(Files.newInputStream(outbox.path(name)), 1));
        }
    }

    /** Reads the spool line into {@link OutboxBatch#RECORD}, its key and event count into headers (null: unreadable). */
    public static final class ReadRequest implements Processor {
        @Override
        public void process(Exchange e) {
            SpoolRecord r = batch(e).read(e.getMessage().getBody(String.class));
            e.setProperty(OutboxBatch.RECORD, r);
            e.getMessage().setHeader(KEY, r == null ? null : r.key());
            e.getMessage().setHeader(EVENTS, r == null ? 0 : r.events().size());
        }
    }

    /** The request's events join the batch's sums. */
    public static final class ApplyRequest implements Processor {
        @Override
        public void process(Exchange e) {
            batch(e).apply(record(e));
        }
    }

    /** The request's Idempotency-Key was applied before: counted, not summed. */
    public static final class SkipRequest implements Processor {
        @Override
        public void process(Exchange e) {
            batch(e).duplicate(record(e));
        }
    }

    /** True when the batch has sums to write. */
    public static final class HasSums implements Predicate {
        @Override
        public boolean matches(Exchange e) {
            return batch(e).userCount() > 0;
        }
    }

    /** True when the batch applied a file (its summary is logged). */
    public static final class AppliedAnything implements Predicate {
        @Override
        public boolean matches(Exchange e) {
            return batch(e).appliedAnything();
        }
    }

    /** The batch's users, sorted: parameter {@code users} of {@code sql/apply-totals.sql}. */
    public static final class Users extends ExpressionAdapter {
        @Override
        public Object evaluate(Exchange e) {
            return batch(e).users();
        }
    }

    /** Each user's change, in the order of {@link Users}: parameter {@code amounts}. */
    public static final class Amounts extends ExpressionAdapter {
        @Override
        public Object evaluate(Exchange e) {
            return batch(e).amounts();
        }
    }

    /** The batch's summary line (for the log). */
    public static final class Summary extends ExpressionAdapter {
        @Override
        public Object evaluate(Exchange e) {
            return batch(e).summary();
        }
    }
}
