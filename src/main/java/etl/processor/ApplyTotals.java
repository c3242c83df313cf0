package etl.processor;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceUtils;

import etl.jobs.Sql;

/**
 * A batch's per-user sums added to {@code users_revenue}, inside the batch's transaction (outbox mode: step
 * {@code applyTotals} of route {@code outbox-batch}, headers {@code users} and {@code amounts}; Kafka mode:
 * {@code etl.kafka.KafkaApply}, through {@link #applyBatch}): the sums go by COPY into the session's temporary table
 * {@code batch_sums} ({@code sql/batch-sums-table.sql}, {@code sql/batch-sums-copy.sql}), then
 * {@code sql/merge-totals.sql} (MERGE: a join, then plain updates and inserts) adds them, in a savepoint; when that
 * meets another process's batch on the same users (a unique violation: both inserted a new user; or a deadlock), the
 * savepoint is rolled back and {@code sql/upsert-totals.sql} (INSERT … ON CONFLICT DO UPDATE, in user order: it waits
 * for the other batch and adds to its row) applies the same sums instead. Any other failure (a total out of
 * NUMERIC(20,2), an id longer than the column) fails the batch as before.
 * <p>
 * Why not the UPSERT alone: on PostgreSQL 17 (embedded, fsync on) its speculative insertion took twice the MERGE's
 * time: 10,000 new users 72 against 36 ms, the same users again 99-112 against 57 ms, 553,000 new users 3.56 against
 * 2.19 s. MERGE alone is not enough: PostgreSQL's MERGE has no ON CONFLICT, so two processors inserting one new user
 * at once would fail one batch (a unique violation, which the processor takes for a request refused for good).
 * <p>
 * Why COPY into a table rather than two array parameters ({@code unnest(?::varchar[], ?::numeric[])}, until
 * 2026-12-03): a million distinct users took 7.1-8.1 s that way against 5.4-6.4 s (alternated, three each); the arrays
 * were made into one text literal by the driver, planned as constants (97-146 ms of planning for 500,000 users) and
 * parsed again by the server, where COPY's rows are read once, as they stream. Camel has no component for COPY;
 * pgjdbc's {@code CopyManager}, on the transaction's pooled connection, does it.
 */
public final class ApplyTotals implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(ApplyTotals.class);
    private static final String MERGE = Sql.text("merge-totals.sql");
    private static final String UPSERT = Sql.text("upsert-totals.sql");
    private static final String WORK_MEM = Sql.text("batch-work-mem.sql");
    private static final String SUMS_TABLE = Sql.text("batch-sums-table.sql");
    private static final String SUMS_COPY = Sql.text("batch-sums-copy.sql");

    private final DataSource dataSource;
    private final String workMem;
    private final AtomicLong upserts = new AtomicLong();

    /**
     * {@code dataSource}: the one of the transaction manager, whose connection the batch's transaction holds;
     * {@code workMem}: PostgreSQL's work_mem for the batch's transaction ({@code etl.processor.work-mem}, as
     * PostgreSQL writes it: {@code 64MB}), or blank for the server's own.
     */
    public ApplyTotals(DataSource dataSource, String workMem) {
        this.dataSource = dataSource;
        this.workMem = workMem == null ? "" : workMem.trim();
        if (!this.workMem.isEmpty() && !this.workMem.matches("[0-9]+ ?(kB|MB|GB)?")) {
            // checked here: PostgreSQL's refusal would read as a batch refused for good, and set every batch aside
            throw new IllegalArgumentException("etl.processor.work-mem is not a size PostgreSQL reads (64MB, 65536kB): "
                    + workMem);
        }
    }

    @Override
    public void process(Exchange exchange) throws SQLException {
        Connection c = DataSourceUtils.getConnection(dataSource);
        try {
            if (applyBatch(c, exchange.getMessage().getHeader("users", Object[].class),
                    exchange.getMessage().getHeader("amounts", Object[].class))) {
                upserts.incrementAndGet();
            }
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
    }

    /**
     * {@link #apply} for a whole batch, in whose transaction {@code work_mem} is set first: the batch's transaction
     * (outbox mode) or the records' (Kafka mode). True when the UPSERT applied the sums.
     */
    public boolean applyBatch(Connection c, Object[] users, Object[] amounts) throws SQLException {
        if (!workMem.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(WORK_MEM)) {
                ps.setString(1, workMem);
                ps.execute();
            }
        }
        return apply(c, users, amounts);
    }

    /**
     * Adds {@code amounts[i]} (exact decimals: String or BigDecimal; each user once) to the total of {@code users[i]},
     * on {@code c} inside its transaction. True when the UPSERT applied them (the MERGE met another process's batch).
     */
    public static boolean apply(Connection c, Object[] users, Object[] amounts) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(SUMS_TABLE);
        }
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(SUMS_COPY);
        try {
            CopyRows rows = new CopyRows(in);
            for (int i = 0; i < users.length; i++) {
                Object amount = amounts[i];
                rows.add((String) users[i], amount instanceof BigDecimal d ? d.toPlainString() : String.valueOf(amount));
            }
            rows.flush();
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
        Savepoint merge = c.setSavepoint();
        try {
            run(c, MERGE);
            c.releaseSavepoint(merge);
            return false;
        } catch (SQLException e) {
            if (!Failures.concurrent(e)) {
                throw e;
            }
            c.rollback(merge);
            LOG.debug("MERGE met another process's batch ({}); the UPSERT applies these sums", Failures.reason(e));
            run(c, UPSERT);
            return true;
        }
    }

    private static void run(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.executeUpdate();
        }
    }

    /**
     * COPY's text format: a row is {@code user TAB amount LF}; in the id a backslash, a tab, a line feed or a carriage
     * return is written as its backslash escape (no other byte of UTF-8 needs one; an id cannot hold NUL).
     */
    static final class CopyRows {
        private final CopyIn in;
        private byte[] buf = new byte[65536];
        private int n;

        CopyRows(CopyIn in) {
            this.in = in;
        }

        void add(String user, String amount) throws SQLException {
            byte[] id = user.getBytes(StandardCharsets.UTF_8);
            int need = 2 * id.length + amount.length() + 2;
            if (n + need > buf.length) {
                flush();
                if (need > buf.length) {
                    buf = new byte[need];
                }
            }
            for (byte b : id) {
                switch (b) {
                    case '\\' -> escaped((byte) '\\');
                    case '\t' -> escaped((byte) 't');
                    case '\n' -> escaped((byte) 'n');
                    case '\r' -> escaped((byte) 'r');
                    default -> buf[n++] = b;
                }
            }
            buf[n++] = '\t';
            for (int i = 0; i < amount.length(); i++) {
                buf[n++] = (byte) amount.charAt(i); // digits, '-' and '.'
            }
            buf[n++] = '\n';
        }

        private void escaped(byte b) {
            buf[n++] = '\\';
            buf[n++] = b;
        }

        void flush() throws SQLException {
            if (n > 0) {
                in.writeToCopy(buf, 0, n);
                n = 0;
            }
        }
    }

    /** How many batches the UPSERT applied (after the MERGE met another process) since the start. */
    public long upserts() {
        return upserts.get();
    }
}
