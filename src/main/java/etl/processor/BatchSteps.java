package etl.processor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.support.ExpressionAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import etl.metrics.EtlMetrics;
import etl.spool.SpoolRecord;

/**
 * The named steps of the processor's routes ({@code outbox-processor}, {@code outbox-batch}, {@code outbox-file},
 * {@code outbox-request}). State travels in the body: the batch's file names, then each file's name, each request's
 * spool line and then its {@link SpoolRecord}, summed by {@link SumByUser} into the {@link UserSums} of a file and of
 * the batch. And in these headers: {@link #PLAN} (the batch's {@link BatchPlan}), {@link #FILE} (the file being read),
 * {@link #KEY} and {@link #EVENTS} (a request's Idempotency-Key and event count, the parameters of
 * {@code sql/claim-key.sql}), {@code users} and {@code amounts} (the parameters of {@link ApplyTotals}), and
 * {@link #MORE} (whether the polling route takes another batch at once).
 */
public final class BatchSteps {

    public static final String PLAN = "etlBatch";
    public static final String FILE = "etlFile";
    public static final String KEY = "etlKey";
    public static final String EVENTS = "etlEvents";
    public static final String MORE = "etlMore";
    public static final String TAKEN = "etlTaken";

    private BatchSteps() {
    }

    static BatchPlan plan(Exchange e) {
        return e.getMessage().getHeader(PLAN, BatchPlan.class);
    }

    static UserSums sums(Exchange e) {
        return e.getMessage().getBody(UserSums.class);
    }

    /** The 1-based number of the line that a part of a file's split holds. */
    static long lineNumber(Exchange e) {
        Integer index = e.getProperty(Exchange.SPLIT_INDEX, Integer.class);
        return index == null ? 0 : index + 1L;
    }

    /** After the commit: the files the batch took move to .done/ (or are deleted). */
    public static final class MoveApplied implements Processor {
        private final OutboxFiles outbox;

        public MoveApplied(OutboxFiles outbox) {
            this.outbox = outbox;
        }

        @Override
        public void process(Exchange e) {
            outbox.applied(plan(e).taken());
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
            UserSums sums = sums(e);
            sums.committed(metrics);
            e.getMessage().setHeader(MORE, plan(e).full() && sums.appliedAnything());
        }
    }

    /**
     * Whether the batch takes this file (the body, its name) or leaves it, unopened and unclaimed, to the next batch,
     * its sums holding their bound ({@link BatchPlan#take}): header {@link #TAKEN}.
     */
    public static final class TakeFile implements Processor {
        @Override
        public void process(Exchange e) {
            BatchPlan plan = plan(e);
            e.getMessage().setHeader(TAKEN, plan == null || plan.take(e.getMessage().getBody(String.class)));
        }
    }

    /** A file whose name is in the applied-files repository: its sums are only that count. */
    public static final class FileAlreadyApplied implements Processor {
        @Override
        public void process(Exchange e) {
            e.getMessage().setBody(UserSums.alreadyApplied(e.getMessage().getBody(String.class)));
        }
    }

    /**
     * A file to apply: its name goes to {@link #FILE}, the body becomes its lines (one request a line), read and
     * parsed a few lines ahead on another thread ({@link ReadAhead}).
     */
    public static final class OpenFile implements Processor {
        private final OutboxFiles outbox;
        private final java.util.concurrent.ExecutorService reader;

        public OpenFile(OutboxFiles outbox, java.util.concurrent.ExecutorService reader) {
            this.outbox = outbox;
            this.reader = reader;
        }

        @Override
        public void process(Exchange e) throws IOException {
            String name = e.getMessage().getBody(String.class);
            e.getMessage().setHeader(FILE, name);
            e.getMessage().setBody(new ReadAhead(outbox.path(name), reader));
        }
    }

    /** After a file's split: its sums (none for an empty file) count the file as applied. */
    public static final class FileApplied implements Processor {
        @Override
        public void process(Exchange e) {
            Object body = e.getMessage().getBody();
            UserSums sums = body instanceof UserSums s ? s : new UserSums();
            e.getMessage().setBody(sums.fileApplied(e.getMessage().getHeader(FILE, String.class)));
        }
    }

    /**
     * The spool line becomes its {@link SpoolRecord}, its key and event count go to {@link #KEY} and {@link #EVENTS}.
     * A blank line becomes nothing; a line that cannot be read (torn by a crash before it was acknowledged) becomes its
     * quarantine entry.
     */
    public static final class ReadRequest implements Processor {
        @Override
        public void process(Exchange e) {
            ReadAhead.Line line = e.getMessage().getBody(ReadAhead.Line.class);
            e.getMessage().setHeader(KEY, null);
            if (line.record() != null) {
                e.getMessage().setBody(line.record());
                e.getMessage().setHeader(KEY, line.record().key());
                e.getMessage().setHeader(EVENTS, line.record().events().size());
            } else if (line.error() != null) {
                e.getMessage().setBody(UserSums.unreadable(e.getMessage().getHeader(FILE, String.class),
                        lineNumber(e), new String(line.bytes(), StandardCharsets.UTF_8), line.error()));
            } else {
                e.getMessage().setBody(null); // a blank line
            }
        }
    }

    /** True when the body is a request to apply (not a blank line or an unreadable one). */
    public static final class IsRequest implements Predicate {
        @Override
        public boolean matches(Exchange e) {
            return e.getMessage().getBody() instanceof SpoolRecord;
        }
    }

    /** True when the batch is applied one request at a time. */
    public static final class Isolated implements Predicate {
        @Override
        public boolean matches(Exchange e) {
            BatchPlan plan = plan(e);
            return plan != null && plan.isolated();
        }
    }

    /** The request's Idempotency-Key was applied before: its sums are only that count. */
    public static final class Repeated implements Processor {
        @Override
        public void process(Exchange e) {
            e.getMessage().setBody(UserSums.repeated(e.getMessage().getBody(SpoolRecord.class)));
        }
    }

    /** True when the batch has sums to write. */
    public static final class HasSums implements Predicate {
        @Override
        public boolean matches(Exchange e) {
            UserSums sums = sums(e);
            return sums != null && sums.userCount() > 0;
        }
    }

    /** True when the batch applied a file (its summary is logged). */
    public static final class AppliedAnything implements Predicate {
        @Override
        public boolean matches(Exchange e) {
            UserSums sums = sums(e);
            return sums != null && sums.appliedAnything();
        }
    }

    /** After an empty batch's split (no files): no sums. */
    public static final class NoSums implements Processor {
        @Override
        public void process(Exchange e) {
            if (!(e.getMessage().getBody() instanceof UserSums)) {
                e.getMessage().setBody(new UserSums());
            }
        }
    }

    /** The batch's users (the SQL sorts them): parameter {@code users} of {@link ApplyTotals}. */
    public static final class Users extends ExpressionAdapter {
        @Override
        public Object evaluate(Exchange e) {
            return sums(e).users();
        }
    }

    /** Each user's change, in the order of {@link Users}: parameter {@code amounts}. */
    public static final class Amounts extends ExpressionAdapter {
        @Override
        public Object evaluate(Exchange e) {
            return sums(e).amounts();
        }
    }

    /** Logs the batch's summary line, under the route's name as Camel's log EIP would. */
    public static final class LogSummary implements Processor {
        private static final Logger LOG = LoggerFactory.getLogger("outbox-batch");

        @Override
        public void process(Exchange e) {
            BatchPlan plan = plan(e);
            UserSums sums = sums(e);
            int left = plan.files().size() - plan.taken().size();
            LOG.info(sums.summary(plan.startedNanos(), plan.isolated()) + (plan.cut() ? String.format(
                    "; its sums reached the batch's memory bound (about %d KB), %d file%s left to the next batch",
                    sums.heldBytes() >> 10, left, left == 1 ? "" : "s") : ""));
        }
    }
}
