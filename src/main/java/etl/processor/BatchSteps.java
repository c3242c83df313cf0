package etl.processor;

import java.io.IOException;
import java.nio.file.Files;

import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.support.ExpressionAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import etl.io.Lines;
import etl.metrics.EtlMetrics;
import etl.spool.SpoolRecord;

/**
 * The named steps of the processor's routes ({@code outbox-processor}, {@code outbox-batch}, {@code outbox-file},
 * {@code outbox-request}). The body carries the work: the listed file names, a file's name, a request's spool line,
 * and then what each changes ({@link Sums}, added up by {@link SumByUser}). The plan of the transaction is the
 * {@link OutboxBatch} in exchange property {@link OutboxBatch#PROPERTY}; a request being applied is in property
 * {@link OutboxBatch#RECORD}. Headers: {@link #FILE} and {@link #LINE} say where a request is, {@link #KEY} and
 * {@link #EVENTS} are the parameters of {@code sql/claim-key.sql}, {@code users} and {@code amounts} those of
 * {@code sql/apply-totals.sql}.
 */
public final class BatchSteps {

    public static final String FILE = "etlFile";
    public static final String LINE = "etlLine";
    public static final String KEY = "etlKey";
    public static final String EVENTS = "etlEvents";
    /** Exchange property: whether the polling route takes another batch at once. */
    public static final String MORE = "etlMore";

    private static final Logger LOG = LoggerFactory.getLogger(BatchSteps.class);

    private BatchSteps() {
    }

    static OutboxBatch batch(Exchange e) {
        return e.getProperty(OutboxBatch.PROPERTY, OutboxBatch.class);
    }

    static SpoolRecord record(Exchange e) {
        return e.getProperty(OutboxBatch.RECORD, SpoolRecord.class);
    }

    static Sums sums(Exchange e) {
        return e.getMessage().getBody(Sums.class);
    }

    /** After the split of the files: the batch's sums (new ones when no file was listed). */
    public static final class Totals implements Processor {
        @Override
        public void process(Exchange e) {
            if (!(e.getMessage().getBody() instanceof Sums)) {
                e.getMessage().setBody(new Sums());
            }
        }
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
            Sums s = sums(e);
            s.committed(metrics);
            e.setProperty(MORE, batch(e).full() && s.appliedAnything());
        }
    }

    /** The summary line of a batch that applied something. */
    public static final class LogSummary implements Processor {
        private static final Logger BATCH_LOG = LoggerFactory.getLogger("outbox-batch");

        @Override
        public void process(Exchange e) {
            BATCH_LOG.info(sums(e).summary(batch(e).started(), batch(e).isolated()));
        }
    }

    /** A file whose name is in the applied-files repository: counted, not read. */
    public static final class FileAlreadyApplied implements Processor {
        @Override
        public void process(Exchange e) {
            e.getMessage().setBody(Sums.alreadyApplied(e.getMessage().getBody(String.class)));
        }
    }

    /** A file to apply: its name goes to header {@link #FILE}; the body becomes an iterator of its lines. */
    public static final class OpenFile implements Processor {
        private final OutboxFiles outbox;

        public OpenFile(OutboxFiles outbox) {
            this.outbox = outbox;
        }

        @Override
        public void process(Exchange e) throws IOException {
            String name = e.getMessage().getBody(String.class);
            e.getMessage().setHeader(FILE, name);
            e.getMessage().setBody(Lines.of(Files.newInputStream(outbox.path(name)), 1));
        }
    }

    /** After the split of a file's lines: its sums (new ones for an empty file), the file counted as applied. */
    public static final class FileApplied implements Processor {
        @Override
        public void process(Exchange e) {
            Sums s = e.getMessage().getBody() instanceof Sums sums ? sums : new Sums();
            e.getMessage().setBody(s.fileApplied(e.getMessage().getHeader(FILE, String.class)));
        }
    }

    /**
     * Reads a spool line (the body): the record into {@link OutboxBatch#RECORD}, its key and event count into headers,
     * its line number into {@link #LINE}. A blank line changes nothing; a line that cannot be read (torn by a crash
     * before its answer) becomes its quarantine entry, and the record is null.
     */
    public static final class ReadRequest implements Processor {
        @Override
        public void process(Exchange e) {
            String line = e.getMessage().getBody(String.class);
            long number = e.getProperty(Exchange.SPLIT_INDEX, 0, Integer.class) + 1L;
            String file = e.getMessage().getHeader(FILE, String.class);
            e.getMessage().setHeader(LINE, number);
            SpoolRecord r = null;
            if (line == null || line.isBlank()) {
                e.getMessage().setBody(new Sums());
            } else {
                try {
                    r = SpoolRecord.parse(line);
                } catch (Exception ex) {
                    LOG.error("Outbox {}: line {} is unreadable ({}); a write torn by a crash before its answer, kept"
                            + " in .rejected/", file, number, ex.getMessage());
                    e.getMessage().setBody(Sums.unreadable(file, number, line, String.valueOf(ex.getMessage())));
                }
            }
            e.setProperty(OutboxBatch.RECORD, r);
            e.getMessage().setHeader(KEY, r == null ? null : r.key());
            e.getMessage().setHeader(EVENTS, r == null ? 0 : r.events().size());
        }
    }

    /** The request's events, summed per user, become the body. */
    public static final class ApplyRequest implements Processor {
        @Override
        public void process(Exchange e) {
            e.getMessage().setBody(Sums.of(record(e)));
        }
    }

    /** The request's Idempotency-Key was applied before: counted, not summed. */
    public static final class SkipRequest implements Processor {
        @Override
        public void process(Exchange e) {
            e.getMessage().setBody(Sums.duplicate(record(e)));
        }
    }

    /** True when the batch has sums to write. */
    public static final class HasSums implements Predicate {
        @Override
        public boolean matches(Exchange e) {
            return sums(e).userCount() > 0;
        }
    }

    /** True when the batch applied a file (its summary is logged). */
    public static final class AppliedAnything implements Predicate {
        @Override
        public boolean matches(Exchange e) {
            return sums(e).appliedAnything();
        }
    }

    /** The batch's users, sorted: parameter {@code users} of {@code sql/apply-totals.sql}. */
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
}
