package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import etl.processor.ApplyTotals;
import etl.processor.Failures;

/**
 * The processor's step applyTotals against the real (embedded) PostgreSQL: its COPY of new users meets another
 * transaction that inserts one of them at the same time (another processor's batch), waits for it, and still adds its sums
 * exactly (through the UPSERT, in a savepoint of the same transaction), where the COPY alone fails with a unique
 * violation; and a total out of NUMERIC(20,2) still fails the batch, as the set-aside of refused requests needs. With
 * the guess of which users are new (etl.processor.KnownUsers), a wrong guess either way still applies every sum once,
 * and a few known users beside a large table are looked up in its key, one by one.
 */
class ApplyTotalsRaceTest extends SystemTestBase {

    private ApplyTotals applyTotals() {
        return context.getRegistry().lookupByNameAndType("applyTotals", ApplyTotals.class);
    }

    private TransactionTemplate transaction() {
        return new TransactionTemplate(context.getRegistry().findSingleByType(DataSourceTransactionManager.class));
    }

    /** The step, as the application's is, but without a guess of which users are new: the path the race takes. */
    private ApplyTotals withoutGuess() {
        return step(0);
    }

    /** The step with a guess of its own, which knows only the users it has applied. */
    private ApplyTotals guessing() {
        return step(1000);
    }

    /** A step of its own on the transactions' data source, keeping at most {@code knownUsers} users' fingerprints. */
    private ApplyTotals step(int knownUsers) {
        return new ApplyTotals(context.getRegistry().findSingleByType(DataSourceTransactionManager.class)
                .getDataSource(), "64MB", 0, knownUsers);
    }

    /** The application's step applyTotals on these users, in a transaction of its own. */
    private void apply(Object[] users, Object amounts) {
        apply(applyTotals(), users, amounts, false);
    }

    /**
     * The step on these users (Strings, or UTF-8 bytes as the processor's route gives them) in a transaction of its own
     * (as the batch's route runs it), rolled back at its end when {@code rollBack}.
     */
    private void apply(ApplyTotals step, Object[] users, Object amounts, boolean rollBack) {
        Exchange e = new DefaultExchange(context);
        e.getMessage().setHeader("users", users);
        e.getMessage().setHeader("amounts", amounts);
        transaction().executeWithoutResult(s -> {
            try {
                step.process(e);
            } catch (SQLException x) {
                throw new UncategorizedSQLException("applyTotals", null, x);
            }
            if (rollBack) {
                s.setRollbackOnly();
            }
        });
    }

    private BigDecimal revenue(Connection c, String user) throws Exception {
        try (PreparedStatement st = c.prepareStatement("SELECT revenue FROM users_revenue WHERE user_id = ?")) {
            st.setString(1, user);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getBigDecimal(1) : null;
            }
        }
    }

    @Test
    void aNewUserInsertedByAnotherTransactionMeanwhileIsAddedToNotLost() throws Exception {
        String raced = user("race");
        String other = user("race-other");
        ApplyTotals step = withoutGuess();
        try (Connection first = dataSource().getConnection()) {
            first.setAutoCommit(false);
            try (PreparedStatement st = first.prepareStatement(
                    "INSERT INTO users_revenue (user_id, revenue) VALUES (?, 1.00)")) {
                st.setString(1, raced);
                st.executeUpdate(); // not committed yet: the batch's COPY must wait for it
            }
            long t0 = System.nanoTime();
            CompletableFuture<Void> batch = CompletableFuture.runAsync(
                    () -> apply(step, new String[] {raced, other}, new String[] {"2.50", "0.01"}, false));
            Thread.sleep(500);
            assertTrue(!batch.isDone(), "the batch waits for the other transaction's new user");
            first.commit();
            batch.get(20, TimeUnit.SECONDS); // without the UPSERT after the COPY: a unique violation here
            assertTrue(System.nanoTime() - t0 >= 500_000_000L);
            assertEquals(new BigDecimal("3.50"), revenue(first, raced), "both transactions' sums");
            assertEquals(new BigDecimal("0.01"), revenue(first, other), "the batch's other user, once");
        }
        assertEquals(1, step.upserts(), "applied by the UPSERT after the COPY met the race");
    }

    @Test
    void aUserGuessedNewThatHasATotalFailsTheGuessNotTheBatch() throws Exception {
        // one with a total from before (inserted by another process: new to the guess), beside a known and a new one
        ApplyTotals step = guessing();
        String seen = user("guess-seen");
        apply(step, new String[] {seen}, new String[] {"1.00"}, false); // now known to the guess
        String older = user("guess-older");
        String fresh = user("guess-fresh");
        try (Connection c = dataSource().getConnection(); PreparedStatement st = c.prepareStatement(
                "INSERT INTO users_revenue (user_id, revenue) VALUES (?, 1.00)")) {
            st.setString(1, older);
            st.executeUpdate();
        }
        apply(step, new String[] {seen, older, fresh}, new String[] {"0.10", "0.20", "0.01"}, false);
        try (Connection c = dataSource().getConnection()) {
            assertEquals(new BigDecimal("1.10"), revenue(c, seen));
            assertEquals(new BigDecimal("1.20"), revenue(c, older), "its total and the batch's sum");
            assertEquals(new BigDecimal("0.01"), revenue(c, fresh), "the batch's new user, once");
        }
        assertEquals(0, step.upserts(), "applied by the UPDATE and COPY once the guess was dropped");

        // one inserted by another transaction that commits while the batch's COPY of the users it guesses new waits
        ApplyTotals racing = guessing();
        String raced = user("guess-race");
        try (Connection first = dataSource().getConnection()) {
            first.setAutoCommit(false);
            try (PreparedStatement st = first.prepareStatement(
                    "INSERT INTO users_revenue (user_id, revenue) VALUES (?, 1.00)")) {
                st.setString(1, raced);
                st.executeUpdate();
            }
            CompletableFuture<Void> batch = CompletableFuture.runAsync(
                    () -> apply(racing, new String[] {raced}, new String[] {"2.50"}, false));
            Thread.sleep(500);
            assertTrue(!batch.isDone(), "the batch waits for the other transaction's new user");
            first.commit();
            batch.get(20, TimeUnit.SECONDS);
            assertEquals(new BigDecimal("3.50"), revenue(first, raced), "both transactions' sums");
        }
        assertEquals(0, racing.upserts(), "the UPDATE found it once the guess was dropped");

        // and a guess that fails on an id PostgreSQL refuses still refuses the batch for good, whole
        Exception refused = assertThrows(Exception.class, () -> apply(guessing(),
                new Object[] {seen.getBytes(StandardCharsets.UTF_8), new byte[] {'n', 'u', 'l', 0}},
                new long[] {100, 100}, false));
        assertTrue(Failures.refusedForGood(refused), refused.toString());
        try (Connection c = dataSource().getConnection()) {
            assertEquals(new BigDecimal("1.10"), revenue(c, seen), "nothing of the refused batch");
        }
    }

    @Test
    void aUserGuessedKnownThatHasNoTotalIsInserted() throws Exception {
        ApplyTotals step = guessing();
        String ghost = user("guess-ghost");
        String known = user("guess-known");
        apply(step, new String[] {known}, new String[] {"1.00"}, false);
        // a batch that rolls back after its users were learned: the guess now takes ghost for known, with no total
        apply(step, new String[] {ghost}, new String[] {"5.00"}, true);
        try (Connection c = dataSource().getConnection()) {
            assertEquals(null, revenue(c, ghost));
        }
        String fresh = user("guess-new");
        apply(step, new String[] {ghost, known, fresh}, new String[] {"0.25", "0.50", "0.75"}, false);
        try (Connection c = dataSource().getConnection()) {
            assertEquals(new BigDecimal("0.25"), revenue(c, ghost), "not named by the UPDATE: inserted");
            assertEquals(new BigDecimal("1.50"), revenue(c, known));
            assertEquals(new BigDecimal("0.75"), revenue(c, fresh));
        }
        assertEquals(0, step.upserts());
    }

    @Test
    void fewKnownUsersBesideTheTableAreLookedUpInTheKeyAndThePlannerIsSetBack() throws Exception {
        ApplyTotals step = step(10_000);
        String tag = user("probe");
        String[] table = new String[3000];
        String[] ones = new String[table.length];
        for (int i = 0; i < table.length; i++) {
            table[i] = "probe-" + i + "-" + tag;
            ones[i] = "1.00";
        }
        apply(step, table, ones, false); // all new to the guess: copied in, and learned
        String ghost = user("probe-ghost");
        apply(step, new String[] {ghost}, new String[] {"5.00"}, true); // learned, but no total
        // 700 known users, the ghost (guessed known) and a new one: 701 for the UPDATE, 4 x 701 <= 3,001 + 1 known
        String fresh = user("probe-new");
        Object[] batch = new Object[702];
        String[] amounts = new String[batch.length];
        for (int i = 0; i < 700; i++) {
            // some as the route gives them (UTF-8 bytes), in no order
            String u = table[(i * 7) % table.length];
            batch[i] = i % 2 == 0 ? u : u.getBytes(StandardCharsets.UTF_8);
            amounts[i] = "0.50";
        }
        batch[700] = ghost;
        amounts[700] = "0.25";
        batch[701] = fresh;
        amounts[701] = "0.75";
        try (Connection c = dataSource().getConnection()) {
            String hash = show(c, "enable_hashjoin");
            String merge = show(c, "enable_mergejoin");
            c.setAutoCommit(false);
            step.applyBatch(c, batch, amounts);
            try (PreparedStatement st = c.prepareStatement("SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables"
                    + " WHERE relname = 'users_revenue'"); ResultSet rs = st.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(0, rs.getLong(1), "users_revenue not read whole");
                assertTrue(rs.getLong(2) >= 701, "one lookup in the key per user: " + rs.getLong(2));
            }
            assertEquals(hash, show(c, "enable_hashjoin"), "set back for the rest of the batch's transaction");
            assertEquals(merge, show(c, "enable_mergejoin"));
            c.commit();
            for (int i = 0; i < 700; i++) {
                assertEquals(new BigDecimal("1.50"), revenue(c, table[(i * 7) % table.length]));
            }
            assertEquals(new BigDecimal("1.00"), revenue(c, table[1]), "not in the batch");
            assertEquals(new BigDecimal("0.25"), revenue(c, ghost), "not named by the UPDATE: inserted");
            assertEquals(new BigDecimal("0.75"), revenue(c, fresh));

            // the same 700 again, all known now: the UPDATE that only counts them (update-totals-all.sql), probing too
            c.setAutoCommit(false);
            step.applyBatch(c, Arrays.copyOf(batch, 700), Arrays.copyOf(amounts, 700));
            assertEquals(hash, show(c, "enable_hashjoin"), "set back after the counting UPDATE too");
            assertEquals(merge, show(c, "enable_mergejoin"));
            c.commit();
            for (int i = 0; i < 700; i++) {
                assertEquals(new BigDecimal("2.00"), revenue(c, table[(i * 7) % table.length]));
            }
            assertEquals(new BigDecimal("1.00"), revenue(c, table[1]));
        }
        assertEquals(0, step.upserts());
    }

    @Test
    void idsThatCopyOrAnArrayLiteralWouldMisreadArePassedAsTheyAre() throws Exception {
        // what the validator accepts and the COPY's text rows must escape: tabs, line feeds, carriage returns,
        // backslashes (COPY's own "\N" for null and "\." for the end); and what an array literal had to quote:
        // quotes, commas, braces, the word NULL, spaces; a BOM character, characters beyond the BMP, 255 characters
        String tag = user("");
        String[] users = {"q\"uote" + tag, "back\\slash,{brace}" + tag, "NULL", "null" + tag, " spaced " + tag,
            "\uFEFFbom" + tag, "emoji\uD83D\uDE00" + tag, "x".repeat(255 - tag.length()) + tag, "tab\there" + tag,
            "line\nfeed\n" + tag, "\rreturn" + tag, "\\N", "\\.", "\\.\n\\." + tag, "\\t" + tag};
        String[] amounts = {"1.00", "2.00", "3.00", "4.00", "5.00", "6.00", "7.00", "8.00", "9.00", "10.00", "11.00",
            "12.00", "13.00", "14.00", "15.00"};
        BigDecimal[] before = new BigDecimal[users.length];
        try (Connection c = dataSource().getConnection()) {
            for (int i = 0; i < users.length; i++) {
                BigDecimal r = revenue(c, users[i]); // "NULL" exactly is shared with any earlier run of this test
                before[i] = r == null ? BigDecimal.ZERO.setScale(2) : r;
            }
        }
        apply(users, amounts);
        apply(users, amounts);
        try (Connection c = dataSource().getConnection()) {
            for (int i = 0; i < users.length; i++) {
                assertEquals(before[i].add(new BigDecimal(amounts[i]).multiply(BigDecimal.valueOf(2))),
                        revenue(c, users[i]), users[i]);
            }
        }
    }

    @Test
    void withoutARaceUpdateAndCopyApplyAndATotalOutOfRangeStillFailsTheBatch() throws Exception {
        String u = user("merge");
        long upsertsBefore = applyTotals().upserts();
        apply(new String[] {u}, new String[] {"7.25"});
        apply(new String[] {u}, new String[] {"-0.25"});
        try (Connection c = dataSource().getConnection()) {
            assertEquals(new BigDecimal("7.00"), revenue(c, u));
        }
        assertEquals(upsertsBefore, applyTotals().upserts(), "no race, no UPSERT");
        // a known user's total out of NUMERIC(20,2) (the UPDATE)
        assertRefusedWhole(u, new String[] {u}, new String[] {"999999999999999999.99"});
        // a new user's sum out of NUMERIC(20,2) (it goes by COPY, not by the UPDATE), beside an update of u
        String fresh = user("merge-new");
        assertRefusedWhole(u, new String[] {u, fresh}, new String[] {"1.00", "1000000000000000000.00"});
        // bytes PostgreSQL's text refuses, in a new user's id (the door refuses them; a spool written by hand might
        // not): NUL, a broken UTF-8 sequence, a lone surrogate's encoding
        byte[][] garbage = {{'n', 'u', 'l', 0, 'x'}, {'b', 'a', 'd', (byte) 0xC3, '('}, {(byte) 0xED, (byte) 0xA0,
            (byte) 0x80}};
        for (byte[] id : garbage) {
            assertRefusedWhole(u, new Object[] {u.getBytes(StandardCharsets.UTF_8), id}, new long[] {100, 100});
        }
        // an id longer than the column (the door refuses it; a spool written by hand might not)
        String tooLong = "y".repeat(256);
        assertRefusedWhole(u, new String[] {u, tooLong}, new String[] {"1.00", "1.00"});
        try (Connection c = dataSource().getConnection()) {
            assertEquals(null, revenue(c, fresh));
            assertEquals(null, revenue(c, tooLong));
        }
    }

    /**
     * The batch fails refused for good (so the processor isolates it and sets the request aside), and applies nothing:
     * {@code known}'s total stays 7.00.
     */
    private void assertRefusedWhole(String known, Object[] users, Object amounts) throws Exception {
        Exception refused = assertThrows(Exception.class, () -> apply(users, amounts));
        assertTrue(Failures.refusedForGood(refused), "refused for good, so the batch is isolated: " + refused);
        try (Connection c = dataSource().getConnection()) {
            assertEquals(new BigDecimal("7.00"), revenue(c, known), "nothing of the refused batch");
        }
    }

    @Test
    void theBatchsWorkMemHoldsForItsTransactionOnly() throws Exception {
        String u = user("work-mem");
        try (Connection c = dataSource().getConnection()) {
            String before = show(c, "work_mem");
            c.setAutoCommit(false);
            applyTotals().applyBatch(c, new String[] {u}, new String[] {"1.25"});
            assertEquals("64MB", show(c, "work_mem"), "etl.processor.work-mem, in the batch's transaction");
            c.commit();
            assertEquals(before, show(c, "work_mem"), "the pool's connection as it was, after the commit");
            assertEquals(new BigDecimal("1.25"), revenue(c, u));
        }
        for (String bad : new String[] {"64 megabytes", "64MB; DROP TABLE users_revenue", "-1", "6\u00004MB", "64TB"}) {
            assertThrows(IllegalArgumentException.class, () -> new ApplyTotals(dataSource(), bad), bad);
        }
    }

    private static String show(Connection c, String setting) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT current_setting(?)")) {
            st.setString(1, setting);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
