package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import etl.processor.ApplyTotals;
import etl.processor.Failures;
import etl.processor.PreparedHalves;
import etl.processor.UserOrder;

/**
 * A large batch in two halves at once, against the real (embedded) PostgreSQL: the second half prepared on another
 * connection and committed or rolled back with the batch ({@link ApplyTotals}, here with a split from 3 users up), and
 * what {@link PreparedHalves} does with a half whose process stopped between the batch and the half: committed when
 * the batch committed, rolled back when it did not, waited for while it runs.
 */
class BatchHalvesTest extends SystemTestBase {

    private DataSourceTransactionManager transactions() {
        return context.getRegistry().findSingleByType(DataSourceTransactionManager.class);
    }

    private ApplyTotals splitting() {
        return splitting(0);
    }

    /** {@code knownUsers}: with a guess of which users are new (etl.processor.KnownUsers), asked by both halves. */
    private ApplyTotals splitting(int knownUsers) {
        return new ApplyTotals(transactions().getDataSource(), "64MB", 3, knownUsers);
    }

    /** The step on these sums in a transaction of its own, as the batch's route runs it; then {@code after}. */
    private void apply(ApplyTotals step, Object[] users, Object amounts, Runnable after) {
        Exchange e = new DefaultExchange(context);
        e.getMessage().setHeader("users", users);
        e.getMessage().setHeader("amounts", amounts);
        new TransactionTemplate(transactions()).executeWithoutResult(s -> {
            try {
                step.process(e);
            } catch (SQLException x) {
                throw new UncategorizedSQLException("applyTotals", null, x);
            }
            after.run();
        });
    }

    private static BigDecimal revenue(Connection c, String user) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT revenue FROM users_revenue WHERE user_id = ?")) {
            st.setString(1, user);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getBigDecimal(1) : null;
            }
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long preparedHalves() throws SQLException {
        try (Connection c = dataSource().getConnection()) {
            return count(c, "SELECT count(*) FROM pg_prepared_xacts WHERE gid LIKE 'etl-half-%'");
        }
    }

    /** Users (with hostile bytes in their ids) and amounts, with some of each half of the split. */
    private static String[][] batch(String tag, int n) {
        String[] odd = {"tab\there", "back\\slash", "\uFEFFbom", "emoji\uD83D\uDE00", "line\nfeed", "\\N", "q\"uote,{}"};
        List<String> users = new ArrayList<>();
        List<String> amounts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            users.add((i < odd.length ? odd[i] : "u" + i) + "-" + tag);
            amounts.add((i % 2 == 0 ? "" : "-") + (i + 1) + ".25");
        }
        return new String[][] {users.toArray(String[]::new), amounts.toArray(String[]::new)};
    }

    /** The split cuts at an id (UserOrder.pivot): the first half is the users whose ids sort before it. */
    private static boolean firstHalf(String[] users, int place) {
        byte[][] ids = new byte[users.length][];
        for (int i = 0; i < users.length; i++) {
            ids[i] = users[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return UserOrder.before(ids[place], UserOrder.pivot(ids));
    }

    /** The batch as the processor's route gives it (UserTable's columns): the ids' UTF-8 bytes, the sums in cents. */
    private static Object[] asBytes(String[] users) {
        Object[] ids = new Object[users.length];
        for (int i = 0; i < users.length; i++) {
            ids[i] = users[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return ids;
    }

    private static long[] asCents(String[] amounts) {
        long[] cents = new long[amounts.length];
        for (int i = 0; i < amounts.length; i++) {
            cents[i] = new BigDecimal(amounts[i]).movePointRight(2).longValueExact();
        }
        return cents;
    }

    @Test
    void aSplitBatchAppliesEveryUserOnceAndLeavesNothingPrepared() throws Exception {
        splitBatchAppliesEveryUserOnce(splitting(), "split");
        // with the guess: the first batch all guessed new, the second all known, the third half of each, in both halves
        ApplyTotals guessing = splitting(1000);
        splitBatchAppliesEveryUserOnce(guessing, "split-guess");
        String[][] known = batch(user("split-guess-mix"), 20);
        apply(guessing, known[0], known[1], () -> { });
        String[][] fresh = batch(user("split-guess-mix"), 20);
        String[] users = new String[40];
        String[] amounts = new String[40];
        for (int i = 0; i < 20; i++) {
            users[2 * i] = known[0][i];
            amounts[2 * i] = known[1][i];
            users[2 * i + 1] = fresh[0][i];
            amounts[2 * i + 1] = fresh[1][i];
        }
        apply(guessing, users, amounts, () -> { });
        try (Connection c = dataSource().getConnection()) {
            for (int i = 0; i < 20; i++) {
                assertEquals(new BigDecimal(known[1][i]).multiply(BigDecimal.valueOf(2)), revenue(c, known[0][i]));
                assertEquals(new BigDecimal(fresh[1][i]), revenue(c, fresh[0][i]));
            }
        }
        assertEquals(0, guessing.upserts());
        assertEquals(0, preparedHalves());
    }

    private void splitBatchAppliesEveryUserOnce(ApplyTotals step, String name) throws Exception {
        String tag = user(name);
        String[][] b = batch(tag, 40);
        long halves = 0;
        for (int i = 0; i < b[0].length; i++) {
            halves += firstHalf(b[0], i) ? 0 : 1;
        }
        assertTrue(halves > 0 && halves < b[0].length, "both halves hold users");
        apply(step, b[0], b[1], () -> { });
        // the same users again, as the batch's route gives them (bytes and cents): updates in both halves
        apply(step, asBytes(b[0]), asCents(b[1]), () -> { });
        assertEquals(2, step.splits());
        try (Connection c = dataSource().getConnection()) {
            for (int i = 0; i < b[0].length; i++) {
                assertEquals(new BigDecimal(b[1][i]).multiply(BigDecimal.valueOf(2)), revenue(c, b[0][i]), b[0][i]);
            }
            assertEquals(0, count(c, "SELECT count(*) FROM batch_halves"), "every half's id forgotten");
            assertEquals(0, count(c, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'batch_half_%'"),
                    "no half's table left");
        }
        assertEquals(0, preparedHalves());
    }

    @Test
    void aBatchThatRollsBackRollsItsPreparedHalfBackToo() throws Exception {
        ApplyTotals step = splitting();
        String[][] b = batch(user("rollback"), 12);
        assertThrows(IllegalStateException.class, () -> apply(step, b[0], b[1], () -> {
            try {
                assertEquals(1, preparedHalves(), "the half is prepared while its batch runs");
            } catch (SQLException e) {
                throw new RuntimeException(e);
            }
            throw new IllegalStateException("the batch fails after its sums (a file that cannot be moved, say)");
        }));
        try (Connection c = dataSource().getConnection()) {
            for (String u : b[0]) {
                assertEquals(null, revenue(c, u), u + ": nothing of either half");
            }
            assertEquals(0, count(c, "SELECT count(*) FROM batch_halves"));
        }
        assertEquals(0, preparedHalves());
    }

    @Test
    void aTotalOutOfRangeInEitherHalfFailsTheWholeBatchForGood() throws Exception {
        ApplyTotals step = splitting();
        for (boolean inFirst : new boolean[] {true, false}) {
            String[][] b = batch(user("range"), 12);
            int bad = -1;
            for (int i = 0; i < b[0].length && bad < 0; i++) {
                bad = firstHalf(b[0], i) == inFirst ? i : -1;
            }
            b[1][bad] = "999999999999999999.99";
            apply(step, new String[] {b[0][bad]}, new String[] {"999999999999999999.99"}, () -> { });
            Exception refused = assertThrows(Exception.class, () -> apply(step, b[0], b[1], () -> { }));
            assertTrue(Failures.refusedForGood(refused), "refused for good (the batch is isolated): " + refused);
            try (Connection c = dataSource().getConnection()) {
                for (int i = 0; i < b[0].length; i++) {
                    assertEquals(i == bad ? new BigDecimal("999999999999999999.99") : null, revenue(c, b[0][i]),
                            b[0][i] + ": nothing of the refused batch, in " + (inFirst ? "the first" : "the second")
                                    + " half or the other");
                }
            }
            assertEquals(0, preparedHalves());
        }
    }

    /** A half prepared by hand as ApplyTotals prepares one: {@code amount} added to {@code user}, not committed. */
    private String prepareHalf(String user, String amount) throws SQLException {
        return prepareHalfAs("etl-half-" + UUID.randomUUID().toString().replace("-", ""), user, amount);
    }

    private static void record(Connection c, String gid) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO batch_halves (gid) VALUES (?)")) {
            st.setString(1, gid);
            st.executeUpdate();
        }
    }

    @Test
    void aHalfLeftPreparedIsCommittedWhenItsBatchCommittedAndRolledBackWhenNot() throws Exception {
        DataSource ds = transactions().getDataSource();
        String committedUser = user("left-committed");
        String diedUser = user("left-died");
        // the process stopped after its batch committed, before COMMIT PREPARED
        String committed = prepareHalf(committedUser, "5.50");
        try (Connection c = dataSource().getConnection()) {
            record(c, committed);
        }
        // the process died before its batch committed: the batch's transaction (and the id's row) rolled back
        String died = prepareHalf(diedUser, "7.25");
        // (the running system's own route batch-halves may get to them first: the outcome is what counts)
        new PreparedHalves(ds, 0).finishAll();
        try (Connection c = dataSource().getConnection()) {
            assertEquals(new BigDecimal("5.50"), revenue(c, committedUser), "the committed batch's half, applied");
            assertEquals(null, revenue(c, diedUser), "the half of a batch that never committed, rolled back");
            assertEquals(0, count(c, "SELECT count(*) FROM batch_halves WHERE gid IN ('" + committed + "', '"
                    + died + "')"), "both ids forgotten");
        }
        assertEquals(0, preparedHalves());
        assertEquals(0, new PreparedHalves(ds, 0).finishAll(), "nothing left to finish");
    }

    @Test
    void aHalfWhoseBatchStillRunsWaitsForItsOutcome() throws Exception {
        DataSource ds = transactions().getDataSource();
        for (boolean commits : new boolean[] {true, false}) {
            String u = user("left-running");
            try (Connection batch = dataSource().getConnection()) {
                batch.setAutoCommit(false);
                String gid = "etl-half-" + UUID.randomUUID().toString().replace("-", "");
                record(batch, gid); // the batch's transaction wrote the id, and is still running
                String prepared = prepareHalfAs(gid, u, "3.00");
                CompletableFuture<Integer> resolver = CompletableFuture.supplyAsync(() -> {
                    try {
                        return new PreparedHalves(ds, 0).finishAll();
                    } catch (SQLException e) {
                        throw new RuntimeException(e);
                    }
                });
                Thread.sleep(500);
                assertFalse(resolver.isDone(), "the resolver waits for the batch's transaction");
                if (commits) {
                    batch.commit();
                } else {
                    batch.rollback();
                }
                resolver.get(20, TimeUnit.SECONDS);
                assertEquals(prepared, gid);
            }
            try (Connection c = dataSource().getConnection()) {
                assertEquals(commits ? new BigDecimal("3.00") : null, revenue(c, u),
                        commits ? "committed with its batch" : "rolled back with its batch");
                assertEquals(0, count(c, "SELECT count(*) FROM batch_halves WHERE gid LIKE 'etl-half-%'"));
            }
            assertEquals(0, preparedHalves());
        }
    }

    private String prepareHalfAs(String gid, String user, String amount) throws SQLException {
        try (Connection h = dataSource().getConnection()) {
            h.setAutoCommit(false);
            try (PreparedStatement st = h.prepareStatement(
                    "INSERT INTO users_revenue (user_id, revenue) VALUES (?, ?::numeric)")) {
                st.setString(1, user);
                st.setString(2, amount);
                st.executeUpdate();
            }
            try (Statement st = h.createStatement()) {
                st.execute("PREPARE TRANSACTION '" + gid + "'");
            }
            h.setAutoCommit(true);
        }
        return gid;
    }
}
