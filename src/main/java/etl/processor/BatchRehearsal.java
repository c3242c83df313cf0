package etl.processor;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;

/**
 * Synthetic batches through the processor's own code between the sums and the database, the database left out: the
 * users summed into a {@link UserTable} and made into its columns, cut in two halves at an id ({@link UserOrder#pivot},
 * as {@link ApplyTotals} cuts a large batch), guessed new or known ({@link KnownUsers}, an instance of its own), sorted
 * ({@link UserOrder}) and written as COPY's rows ({@link ApplyTotals#rows}) into nothing; a first round of new users
 * only, a second of half new and half known, and small batches. For the JIT's warm-up at start
 * ({@code etl.config.WarmUp}).
 * <p>
 * Why: the warm-up's events until then had 1,000 users, so the code that only a large batch of new users runs was
 * compiled while the first such batch ran. JFR ({@code jdk.Compilation}) of a million distinct users dropped into a
 * process that had just started: {@code UserOrder.sort} compiled by C2 four times (its insertion sort's loop
 * predicates were deoptimised twice: {@code jdk.Deoptimization}), 606 ms of compiling, {@code ApplyTotals} 550 ms,
 * {@code UserTable} 152 ms; the compiler threads took 1.36-1.48 CPU s of that run against 0.82-0.89 s for the same
 * users after a warm-up of 200,000 real ones. Nothing here reaches the database, and what it makes is dropped.
 */
public final class BatchRehearsal {

    private static final ApplyTotals.CopyRows.Out NOWHERE = (b, off, len) -> { };

    private BatchRehearsal() {
    }

    /**
     * The rehearsal with batches of up to {@code users} users ({@code warm-up-<n>}); returns the rows it wrote. Its
     * largest objects are a batch's columns, about 100 bytes a user.
     */
    public static long run(int users) {
        long rows = 0;
        KnownUsers known = new KnownUsers(3 * users + 64);
        try {
            rows += batch(0, users, known);         // all new
            rows += batch(users / 2, users, known); // half new, half known
            for (int from = 0; from < 20 * 60; from += 60) {
                rows += batch(2 * users + from, 40, known); // small batches: the sort's insertion path alone
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e); // nothing here writes to a database
        }
        return rows;
    }

    /** Users {@code from} to {@code from + count}, each with one or two events, as a batch. */
    private static long batch(int from, int count, KnownUsers known) throws SQLException {
        UserTable table = new UserTable();
        for (int k = 0; k < count + count / 2; k++) {
            // a permutation of the batch's users, then half of them once more
            int n = from + (int) ((k % count) * 7919L % count);
            byte[] id = ("warm-up-" + n).getBytes(StandardCharsets.UTF_8);
            table.add(id, 0, id.length, k % 3 == 0 ? -(n % 1000) : n % 100_000 + 1);
        }
        UserTable.Columns columns = table.columns();
        byte[][] ids = columns.users();
        long[] cents = (long[]) columns.amounts();
        boolean[] first = ApplyTotals.firstHalf(ids);
        int firsts = ApplyTotals.count(first);
        return half(ApplyTotals.ids(ApplyTotals.half(ids, first, firsts, true)),
                ApplyTotals.half(cents, first, firsts, true), known)
                + half(ApplyTotals.ids(ApplyTotals.half(ids, first, ids.length - firsts, false)),
                        ApplyTotals.half(cents, first, ids.length - firsts, false), known);
    }

    /**
     * One half as ApplyTotals applies it: the users guessed new in id order, then the others with their places (in id
     * order where ApplyTotals would probe for them).
     */
    private static long half(byte[][] ids, long[] cents, KnownUsers known) throws SQLException {
        long[] prints = KnownUsers.fingerprints(ids);
        boolean[] guess = known.guess(prints);
        boolean[] done = new boolean[ids.length];
        if (guess != null) {
            ApplyTotals.rows(new ApplyTotals.CopyRows(NOWHERE), ids, cents, null, guess, false, true);
            for (int i = 0; i < ids.length; i++) {
                done[i] = !guess[i];
            }
        }
        // the known ones in id order where ApplyTotals would probe for them (the half new and half known batch does)
        int inserted = ApplyTotals.count(done);
        ApplyTotals.rows(new ApplyTotals.CopyRows(NOWHERE), ids, cents, null, done, true,
                ApplyTotals.probe(ids.length - inserted, known.size() + (long) inserted));
        known.learn(prints);
        return ids.length; // each user's row written once, by one of the two
    }
}
