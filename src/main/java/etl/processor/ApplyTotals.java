package etl.processor;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import etl.event.Cents;
import etl.jobs.Sql;

/**
 * A batch's per-user sums added to {@code users_revenue}, inside the batch's transaction (outbox mode: step
 * {@code applyTotals} of route {@code outbox-batch}, headers {@code users} and {@code amounts}; Kafka mode:
 * {@code etl.kafka.KafkaApply}, through {@link #applyBatch}): the sums go by COPY into the session's temporary table
 * {@code batch_sums} ({@code sql/batch-sums-table.sql}, {@code sql/batch-sums-copy.sql}), each with its place in the
 * batch, and are counted for the planner ({@code sql/batch-sums-analyze.sql} says why), or, where they are few beside
 * the users this process knows, copied in their ids' order for the UPDATE to look each up in the primary key
 * ({@code sql/batch-sums-probe.sql}, {@link #PROBE_SHARE}); then, in a savepoint,
 * {@code sql/update-totals.sql} adds the sums of the users that have a total already and
 * names their places (where every one of them was guessed known, {@code sql/update-totals-all.sql} first only counts
 * them: {@link #updatedAll}), and the others, the new users, go by COPY straight into users_revenue in their ids' order
 * ({@code sql/insert-totals-copy.sql}, {@link UserOrder}); when that meets another process's batch on the same users
 * (a unique violation: both inserted a new user; or a deadlock), the
 * savepoint is rolled back and {@code sql/upsert-totals.sql} (INSERT … ON CONFLICT DO UPDATE, in user order: it waits
 * for the other batch and adds to its row) applies the same sums instead. Any other failure (a total out of
 * NUMERIC(20,2), an id longer than the column) fails the batch as before.
 * <p>
 * Why not the UPSERT alone: on PostgreSQL 17 (embedded, fsync on) its speculative insertion took twice the time of a
 * MERGE (a join, then plain updates and inserts: the statement here until 2026-12-05): 10,000 new users 72 against
 * 36 ms, the same users again 99-112 against 57 ms, 553,000 new users 3.56 against 2.19 s. Why no longer the MERGE:
 * its inserts go row by row, with a WAL record each for the row and for its key, while COPY writes a page of rows at
 * a time, and new ids in order reach the B-tree page after page. PostgreSQL 17, psql, 632,000 new users: COPY into
 * users_revenue 0.81-0.88 s with the ids in order, 1.94-2.12 s in no order, the MERGE 1.91-2.01 s; 400,000 new users and
 * 150,000 updated into 300,000: this UPDATE and COPY 1.72-1.96 s against the MERGE's 2.28-2.48 s. Neither is enough
 * alone: neither has an ON CONFLICT, so two processors inserting one new user at once would fail one batch (a unique
 * violation, which the processor takes for a request refused for good): hence the savepoint and the UPSERT.
 * <p>
 * Before all that, where this process's {@link KnownUsers} guesses some users of the batch new (it has never applied a
 * sum to them), those go first, by COPY straight into users_revenue in a savepoint of their own, and only the others
 * through batch_sums and the UPDATE: the last batch of a million distinct users spent an eighth of its time copying new
 * users into batch_sums and joining them for nothing (psql, its two halves at once: 829-875 ms without them, 942-1,086
 * with). Where one of them has a total after all, that COPY fails at once (a unique violation), is rolled back, and the
 * batch goes on with all its users as above.
 * <p>
 * Why COPY into a table rather than two array parameters ({@code unnest(?::varchar[], ?::numeric[])}, until
 * 2026-12-03): a million distinct users took 7.1-8.1 s that way against 5.4-6.4 s (alternated, three each); the arrays
 * were made into one text literal by the driver, planned as constants (97-146 ms of planning for 500,000 users) and
 * parsed again by the server, where COPY's rows are read once, as they stream. Camel has no component for COPY;
 * pgjdbc's {@code CopyManager}, on the transaction's pooled connection, does it.
 * <p>
 * A batch of more than {@code etl.processor.split-users} users (outbox mode) is applied by two PostgreSQL backends at
 * once, still all or nothing: one backend inserts a new user's key into the primary key's B-tree at about 2.7 µs, so a
 * batch of half a million new users took 2.2-2.5 s on one core while the other waited; two COPYs at once took 35-40 %
 * less. The users are split in two at an id (disjoint halves, each a range of ids: no lock of one is wanted by the other,
 * and the two backends fill different pages of the B-tree; {@link UserOrder}, which also sorts each half's rows). The
 * second half goes, on a second pooled connection, into a transaction of its own that ends with
 * {@code PREPARE TRANSACTION 'etl-half-<id>'} (two-phase commit: kept on disk, neither committed nor rolled back); its
 * id was written into {@code batch_halves} in the batch's transaction before (half-record.sql), while the batch's own
 * connection applies the first half. When the batch's transaction has committed the half is committed
 * ({@code COMMIT PREPARED}); when it rolled back, rolled back. Whatever happens in between (the process killed, the
 * connection lost), the id's row in {@code batch_halves} says what the batch did, and {@link PreparedHalves} finishes
 * the half accordingly. Where the server allows no prepared transaction ({@code max_prepared_transactions = 0}, the
 * default of a PostgreSQL we do not start) batches stay whole.
 */
public final class ApplyTotals implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(ApplyTotals.class);
    private static final String UPDATE = Sql.text("update-totals.sql");
    private static final String UPDATE_ALL = Sql.text("update-totals-all.sql");
    private static final String INSERT_COPY = Sql.text("insert-totals-copy.sql");
    private static final String UPSERT = Sql.text("upsert-totals.sql");
    /** How many updated users' places the driver fetches at a time (update-totals.sql's answer). */
    private static final int PLACES_FETCHED = 10_000;
    private static final String WORK_MEM = Sql.text("batch-work-mem.sql");
    private static final String SUMS_TABLE = Sql.text("batch-sums-table.sql");
    private static final String SUMS_COPY = Sql.text("batch-sums-copy.sql");
    private static final String SUMS_ANALYZE = Sql.text("batch-sums-analyze.sql");
    private static final String PROBE = Sql.text("batch-sums-probe.sql");
    private static final String PROBED = Sql.text("batch-sums-probed.sql");
    /**
     * The UPDATE probes users_revenue's primary key user by user (batch-sums-probe.sql says why) when the users it
     * looks up are at most this share of the table (1 in 4) as this process knows it ({@link KnownUsers#size} and
     * the users it has just inserted): psql, PostgreSQL 17, 10,000 known users into a table of 10,000 or of 20,000, the
     * hash join and the probes level (24-27 ms). A million distinct users dropped ({@code bench/e2e.sh}, ten alternated
     * pairs): mean 2.57 s against 2.75 s; a million events of 10,000 users never probe.
     */
    static final int PROBE_SHARE = 4;

    private static final String HALF_TABLE = Sql.text("half-sums-table.sql");
    private static final String HALF_DROP = Sql.text("half-drop.sql");
    private static final String HALF_RECORD = Sql.text("half-record.sql");
    /** The id of every prepared half begins so ({@link PreparedHalves} looks for them). */
    static final String HALF_PREFIX = "etl-half-";

    private final DataSource dataSource;
    private final String workMem;
    private final int splitUsers;
    private final AtomicLong upserts = new AtomicLong();
    /** Which users have a total already, guessed from the batches this process applied (null: no guess). */
    private final KnownUsers known;
    private final AtomicLong splits = new AtomicLong();
    /** Whether the server prepares transactions (its max_prepared_transactions above 0): null until first asked. */
    private volatile Boolean twoPhase;
    /** The second halves' threads: one at a time per batch; daemons, so that they hold up no stop. */
    private final ExecutorService halves = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "batch-half");
        t.setDaemon(true);
        return t;
    });

    /**
     * {@code dataSource}: the one of the transaction manager, whose connection the batch's transaction holds;
     * {@code workMem}: PostgreSQL's work_mem for the batch's transaction ({@code etl.processor.work-mem}, as
     * PostgreSQL writes it: {@code 64MB}), or blank for the server's own.
     */
    public ApplyTotals(DataSource dataSource, String workMem) {
        this(dataSource, workMem, 0, 0);
    }

    /**
     * {@code splitUsers}: a batch of more users than this is applied in two halves at once, the second one prepared
     * ({@code etl.processor.split-users}); 0: never. {@code knownUsers}: how many users' fingerprints it keeps to guess
     * which users of a batch are new ({@link KnownUsers}, {@code etl.processor.known-users}); 0: no guess.
     */
    public ApplyTotals(DataSource dataSource, String workMem, int splitUsers, int knownUsers) {
        this.dataSource = dataSource;
        this.splitUsers = splitUsers;
        this.known = knownUsers > 0 ? new KnownUsers(knownUsers) : null;
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
            Object[] users = exchange.getMessage().getHeader("users", Object[].class);
            Object amounts = exchange.getMessage().getHeader("amounts");
            boolean split = splitUsers > 0 && users.length > splitUsers
                    && TransactionSynchronizationManager.isSynchronizationActive() && twoPhase(c);
            if (split ? applySplit(c, users, amounts) : applyBatch(c, users, amounts)) {
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
    public boolean applyBatch(Connection c, Object[] users, Object amounts) throws SQLException {
        setWorkMem(c);
        return apply(c, SUMS_TABLE, "batch_sums", users, amounts, known);
    }

    private void setWorkMem(Connection c) throws SQLException {
        if (!workMem.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(WORK_MEM)) {
                ps.setString(1, workMem);
                ps.execute();
            }
        }
    }

    /**
     * The batch in two halves at once (class comment): the second prepared on another connection, the first on the
     * batch's {@code c}; returns when both are done, or throws (the batch then rolls back, and so does the half).
     */
    private boolean applySplit(Connection c, Object[] users, Object amounts) throws SQLException {
        // cut at a user id (UserOrder.pivot): the users before it, and the others. Each user is once in the batch, so
        // the halves are disjoint; cut by key range, the two backends insert into different pages of the primary key
        byte[][] ids = ids(users);
        boolean[] first = firstHalf(ids);
        int firsts = count(first);
        Object[] users1 = half(ids, first, firsts, true);
        Object[] users2 = half(ids, first, ids.length - firsts, false);
        Object amounts1 = amounts instanceof long[] cents ? half(cents, first, firsts, true)
                : half((Object[]) amounts, first, firsts, true);
        Object amounts2 = amounts instanceof long[] cents ? half(cents, first, ids.length - firsts, false)
                : half((Object[]) amounts, first, ids.length - firsts, false);
        String gid = HALF_PREFIX + UUID.randomUUID().toString().replace("-", "");
        // the id first, in the batch's transaction: from the moment the half is prepared, the row says what the
        // batch did (PreparedHalves)
        try (PreparedStatement ps = c.prepareStatement(HALF_RECORD)) {
            ps.setString(1, gid);
            ps.executeUpdate();
        }
        TransactionSynchronizationManager.registerSynchronization(new FinishHalf(gid));
        CompletableFuture<Boolean> half = CompletableFuture.supplyAsync(
                () -> prepareHalf(gid, users2, amounts2), halves);
        boolean upsert;
        try {
            upsert = applyBatch(c, users1, amounts1);
        } catch (SQLException | RuntimeException e) {
            // the half is awaited all the same: prepared after its batch has ended, it would hold its users' rows
            // until PreparedHalves came by
            try {
                half.join();
            } catch (CompletionException ignored) {
                // the batch's own failure is the one to report
            }
            throw e;
        }
        try {
            upsert |= half.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof HalfFailed f) {
                throw f.sql;
            }
            throw e;
        }
        splits.incrementAndGet();
        LOG.info("Batch of {} users: applied in two halves at once, {} here and {} prepared as {}", users.length,
                users1.length, users2.length, gid);
        return upsert;
    }

    /** Which users go into a split batch's first half: those whose ids sort before {@link UserOrder#pivot}. */
    static boolean[] firstHalf(byte[][] ids) {
        byte[] pivot = UserOrder.pivot(ids);
        boolean[] first = new boolean[ids.length];
        for (int i = 0; i < ids.length; i++) {
            first[i] = UserOrder.before(ids[i], pivot);
        }
        return first;
    }

    static int count(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            n += f ? 1 : 0;
        }
        return n;
    }

    /** A half's SQLException, through the CompletableFuture. */
    private static final class HalfFailed extends RuntimeException {
        final SQLException sql;

        HalfFailed(SQLException sql) {
            super(sql);
            this.sql = sql;
        }
    }

    /**
     * The second half: on a connection of its own, in a table of its own (a prepared transaction may not touch a
     * temporary one), applied like a whole batch, then prepared as {@code gid}. A wait of more than 10 s for a lock
     * ends it: the batch waits for this half outside PostgreSQL, which therefore cannot see a deadlock through it
     * (another process's batch waiting for the batch, this half waiting for that one).
     */
    private boolean prepareHalf(String gid, Object[] users, Object amounts) {
        String table = "batch_half_" + gid.substring(HALF_PREFIX.length());
        try (Connection h = dataSource.getConnection()) {
            h.setAutoCommit(false);
            try {
                execute(h, "SET LOCAL lock_timeout = '10s'");
                setWorkMem(h);
                boolean upsert = apply(h, HALF_TABLE.replace("batch_half", table), table, users, amounts, known);
                run(h, HALF_DROP.replace("batch_half", table));
                execute(h, "PREPARE TRANSACTION '" + gid + "'");
                return upsert;
            } catch (SQLException e) {
                h.rollback();
                throw e;
            } finally {
                // after PREPARE TRANSACTION the session has no transaction left; the pool gets it back as it was lent
                h.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new HalfFailed(e);
        }
    }

    /** Commits or rolls back a batch's prepared half once the batch's transaction has ended. */
    private final class FinishHalf implements TransactionSynchronization {
        private final String gid;

        FinishHalf(String gid) {
            this.gid = gid;
        }

        @Override
        public void afterCompletion(int status) {
            try {
                PreparedHalves.finish(dataSource, gid, status == STATUS_COMMITTED);
            } catch (SQLException e) {
                // the id's row (or its absence) still says what the batch did: PreparedHalves finishes it later
                LOG.warn("Batch half {} not finished now ({}); it will be within etl.processor.halves-check-ms", gid,
                        Failures.reason(e));
            }
        }
    }

    /** Whether the server prepares transactions: asked once. */
    private boolean twoPhase(Connection c) throws SQLException {
        Boolean known = twoPhase;
        if (known == null) {
            try (Statement st = c.createStatement();
                    java.sql.ResultSet rs = st.executeQuery("SHOW max_prepared_transactions")) {
                known = rs.next() && Integer.parseInt(rs.getString(1).trim()) > 0;
            }
            if (!known) {
                LOG.info("The database prepares no transaction (max_prepared_transactions = 0): batches of more than"
                        + " {} users are applied by one connection", splitUsers);
            }
            twoPhase = known;
        }
        return known;
    }

    /**
     * Adds amount {@code i} to the total of {@code users[i]} (each user once: a String, or its UTF-8 bytes), on
     * {@code c} inside its transaction. {@code amounts}: an {@code Object[]} of exact decimals (String or BigDecimal),
     * or a {@code long[]} of cents (etl.processor.UserTable's columns: no String made per user). True when the UPSERT
     * applied them (the batch met another process's batch).
     */
    public static boolean apply(Connection c, Object[] users, Object amounts) throws SQLException {
        return apply(c, SUMS_TABLE, "batch_sums", users, amounts, null);
    }

    /**
     * {@link #apply} through the table {@code sums}, made by {@code makeSums}. Where {@code cache} guesses some users
     * new ({@link KnownUsers}), those first, by COPY straight into users_revenue in their ids' order, in a savepoint:
     * when one of them has a total after all, the COPY fails, is rolled back, and the batch goes on without the guess.
     * Then the other users (all of them without a guess) copied into {@code sums} with their places; those with a total
     * updated in one statement, which names their places; the rest (new users) copied straight into users_revenue in
     * their ids' order. Both in a savepoint, the UPSERT of {@code sums} instead where they met another process's batch.
     */
    private static boolean apply(Connection c, String makeSums, String sums, Object[] users, Object amounts,
            KnownUsers cache) throws SQLException {
        execute(c, makeSums);
        byte[][] ids = ids(users);
        long[] cents = amounts instanceof long[] l ? l : null;
        Object[] exact = cents == null ? (Object[]) amounts : null;
        // done[i]: user i's sum is applied already (guessed new and inserted), or named by the UPDATE below
        boolean[] done = new boolean[ids.length];
        long[] prints = cache == null ? null : KnownUsers.fingerprints(ids);
        boolean[] guess = cache == null ? null : cache.guess(prints);
        boolean guessed = false;
        if (guess != null) {
            Savepoint fresh = c.setSavepoint();
            try {
                copy(c, INSERT_COPY, ids, cents, exact, guess, false, true);
                c.releaseSavepoint(fresh);
                for (int i = 0; i < ids.length; i++) {
                    done[i] = !guess[i];
                }
                guessed = true;
            } catch (SQLException e) {
                if (!Failures.concurrent(e)) {
                    throw e;
                }
                c.rollback(fresh);
                cache.missed();
                LOG.debug("A user guessed new has a total ({}); the batch is applied without the guess",
                        Failures.reason(e));
            }
        }
        int inserted = count(done); // the users guessed new, inserted above (none where there was no guess)
        boolean applied = apply(c, sums, ids, cents, exact, done,
                cache != null && probe(ids.length - inserted, cache.size() + (long) inserted), guessed);
        if (cache != null) {
            cache.learn(prints);
        }
        return applied;
    }

    /**
     * Whether the UPDATE of {@code users} users should probe the primary key user by user, in a table of at least
     * {@code table} users ({@link #PROBE_SHARE}).
     */
    static boolean probe(int users, long table) {
        return users > 0 && (long) users * PROBE_SHARE <= table;
    }

    /**
     * The users not {@code done} copied into {@code sums} with their places, updated where they have a total, inserted
     * where not; the UPSERT of {@code sums} instead where they met another process's batch (see the class comment).
     * With {@code probe}, they are copied in their ids' order and the UPDATE looks each of them up in the primary key
     * (batch-sums-probe.sql); else they are counted for the planner (batch-sums-analyze.sql). With {@code guessedKnown}
     * (every one of them guessed to have a total), first {@link #updatedAll}.
     */
    private static boolean apply(Connection c, String sums, byte[][] ids, long[] cents, Object[] exact,
            boolean[] done, boolean probe, boolean guessedKnown) throws SQLException {
        int left = ids.length - count(done);
        if (left == 0) {
            return false;
        }
        copy(c, SUMS_COPY.replace("batch_sums", sums), ids, cents, exact, done, true, probe);
        if (!probe) {
            execute(c, SUMS_ANALYZE.replace("batch_sums", sums));
        }
        if (guessedKnown && updatedAll(c, sums, left, probe)) {
            return false;
        }
        Savepoint totals = c.setSavepoint();
        try {
            boolean[] known = done.clone();
            int updated = ids.length - left;
            if (probe) {
                // set inside the savepoint: a rollback to it sets them back too
                execute(c, PROBE);
            }
            try (PreparedStatement ps = c.prepareStatement(UPDATE.replace("batch_sums", sums))) {
                // the places of half a million updated users would otherwise all be held at once by the driver
                ps.setFetchSize(PLACES_FETCHED);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        known[rs.getInt(1)] = true;
                        updated++;
                    }
                }
            }
            if (probe) {
                execute(c, PROBED);
            }
            if (updated < ids.length) {
                copy(c, INSERT_COPY, ids, cents, exact, known, false, true);
            }
            c.releaseSavepoint(totals);
            return false;
        } catch (SQLException e) {
            if (!Failures.concurrent(e)) {
                throw e;
            }
            c.rollback(totals);
            LOG.debug("The batch met another process's batch ({}); the UPSERT applies these sums", Failures.reason(e));
            run(c, UPSERT.replace("batch_sums", sums));
            return true;
        }
    }

    /**
     * The {@code users} users in {@code sums} updated without naming them (sql/update-totals-all.sql), in a savepoint:
     * true when each of them had a total (the UPDATE's count is theirs: each user is once in a batch, and has one row at
     * most); else the savepoint is rolled back, as it is when the UPDATE met another process's batch, and false: the
     * UPDATE that names them follows.
     */
    private static boolean updatedAll(Connection c, String sums, int users, boolean probe) throws SQLException {
        Savepoint all = c.setSavepoint();
        try {
            if (probe) {
                execute(c, PROBE);
            }
            int updated;
            try (PreparedStatement ps = c.prepareStatement(UPDATE_ALL.replace("batch_sums", sums))) {
                updated = ps.executeUpdate();
            }
            if (updated == users) {
                if (probe) {
                    execute(c, PROBED);
                }
                c.releaseSavepoint(all);
                return true;
            }
        } catch (SQLException e) {
            if (!Failures.concurrent(e)) {
                throw e;
            }
            LOG.debug("The batch met another process's batch ({}); its users are updated again by name",
                    Failures.reason(e));
        }
        c.rollback(all); // the join methods too, where probe set them
        return false;
    }

    /**
     * COPY ({@code sql}) of the users not {@code left} out and their amounts ({@code cents}, else {@code exact}): with
     * {@code places}, each with its place (into batch_sums); {@code byId}, in their ids' order (the new users, into
     * users_revenue, {@link UserOrder} says why; the known ones, for the UPDATE's probes), else in their places' order.
     */
    private static void copy(Connection c, String sql, byte[][] ids, long[] cents, Object[] exact, boolean[] left,
            boolean places, boolean byId) throws SQLException {
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            rows(new CopyRows(in::writeToCopy), ids, cents, exact, left, places, byId);
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    /** {@link #copy}'s rows, written to {@code rows} and flushed. */
    static void rows(CopyRows rows, byte[][] ids, long[] cents, Object[] exact, boolean[] left, boolean places,
            boolean byId) throws SQLException {
        if (byId) {
            for (int i : UserOrder.order(ids, left)) {
                add(rows, ids[i], cents, exact, i, places ? i : -1);
            }
        } else {
            for (int i = 0; i < ids.length; i++) {
                if (!left[i]) {
                    add(rows, ids[i], cents, exact, i, places ? i : -1);
                }
            }
        }
        rows.flush();
    }

    /** The row of user {@code i}: its id, its amount, and {@code place} unless negative. */
    private static void add(CopyRows rows, byte[] id, long[] cents, Object[] exact, int i, int place)
            throws SQLException {
        if (cents != null) {
            rows.add(id, cents[i], place);
        } else {
            Object amount = exact[i];
            rows.add(id, amount instanceof BigDecimal d ? d.toPlainString() : String.valueOf(amount), place);
        }
    }

    /** The {@code size} elements of {@code a} whose {@code first} is {@code which}, in their order. */
    static Object[] half(Object[] a, boolean[] first, int size, boolean which) {
        Object[] h = new Object[size];
        for (int i = 0, j = 0; i < a.length; i++) {
            if (first[i] == which) {
                h[j++] = a[i];
            }
        }
        return h;
    }

    static long[] half(long[] a, boolean[] first, int size, boolean which) {
        long[] h = new long[size];
        for (int i = 0, j = 0; i < a.length; i++) {
            if (first[i] == which) {
                h[j++] = a[i];
            }
        }
        return h;
    }

    /** The users' ids as UTF-8 bytes: as they come (UserTable's columns), or made from their Strings. */
    static byte[][] ids(Object[] users) {
        byte[][] ids = new byte[users.length][];
        for (int i = 0; i < users.length; i++) {
            ids[i] = users[i] instanceof byte[] b ? b : ((String) users[i]).getBytes(StandardCharsets.UTF_8);
        }
        return ids;
    }

    /** {@code sql}'s statements, their answers dropped. */
    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
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

        /** Where the rows go: the COPY's {@code writeToCopy}. */
        interface Out {
            void write(byte[] b, int off, int len) throws SQLException;
        }

        private final Out out;
        /** A tab and an int's digits. */
        private static final int PLACE_BYTES = 11;
        private byte[] buf = new byte[65536];
        private int n;

        CopyRows(Out out) {
            this.out = out;
        }

        /** A row: the id's UTF-8 bytes, the amount as plain decimal text, and {@code place} unless negative. */
        void add(byte[] id, String amount, int place) throws SQLException {
            room(2 * id.length + amount.length() + PLACE_BYTES + 2);
            id(id);
            for (int i = 0; i < amount.length(); i++) {
                buf[n++] = (byte) amount.charAt(i); // digits, '-' and '.'
            }
            end(place);
        }

        /**
         * A row: the id's UTF-8 bytes, an amount in cents, and {@code place} unless negative, written as text straight
         * into the buffer.
         */
        void add(byte[] id, long cents, int place) throws SQLException {
            if (cents == Long.MIN_VALUE) { // its negation is not a long
                add(id, Cents.plain(cents), place);
                return;
            }
            room(2 * id.length + Cents.MAX_BYTES + PLACE_BYTES + 3);
            id(id);
            if (cents < 0) {
                buf[n++] = '-';
            }
            n = Cents.write(buf, n, Math.abs(cents));
            end(place);
        }

        /** A tab and the place's digits (none when negative), then the row's end. */
        private void end(int place) {
            if (place >= 0) {
                buf[n++] = '\t';
                n = Cents.whole(buf, n, place);
            }
            buf[n++] = '\n';
        }

        private void room(int need) throws SQLException {
            if (n + need > buf.length) {
                flush();
                if (need > buf.length) {
                    buf = new byte[need];
                }
            }
        }

        private void id(byte[] id) {
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
        }

        private void escaped(byte b) {
            buf[n++] = '\\';
            buf[n++] = b;
        }

        void flush() throws SQLException {
            if (n > 0) {
                out.write(buf, 0, n);
                n = 0;
            }
        }
    }

    /** How many batches the UPSERT applied (after meeting another process's batch) since the start. */
    public long upserts() {
        return upserts.get();
    }

    /** How many batches were applied in two halves since the start. */
    public long splits() {
        return splits.get();
    }
}
