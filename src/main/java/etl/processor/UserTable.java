package etl.processor;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import etl.event.Cents;

/**
 * Each user's running sum in a batch, keyed by the user id's UTF-8 bytes: an event read by the fast reader is added
 * straight from the spool line (no String made, no hash of one computed again), in cents in a {@code long}
 * ({@link Math#addExact}; a sum that leaves the long's range goes on as a BigDecimal, so nothing is ever rounded or
 * wrapped). Open addressing with linear probing, a power-of-two table at most half full.
 * <p>
 * Why not a {@code HashMap<String, …>}: the profile of a 1M-event batch (JFR, bench/processor.sh) had half of the
 * processing thread in the map's look-ups of freshly made Strings (their hash computed per event) and in BigDecimal
 * additions.
 */
final class UserTable {

    private byte[][] keys = new byte[64][];
    private int[] hashes = new int[64];
    private long[] cents = new long[64];
    /** A user's sum once it left the long's range (null until then, for nearly every user). */
    private BigDecimal[] big = new BigDecimal[64];
    private int size;
    /** The bytes of every user id in the table. */
    private long idBytes;

    /** Adds {@code delta} cents to the user whose id is {@code b[from, to)}. */
    void add(byte[] b, int from, int to, long delta) {
        int h = hash(b, from, to);
        int i = slot(b, from, to, h);
        if (keys[i] == null) {
            keys[i] = Arrays.copyOfRange(b, from, to);
            hashes[i] = h;
            idBytes += to - from;
            if (++size * 2 > keys.length) {
                grow();
                i = slot(b, from, to, h);
            }
        }
        addAt(i, delta);
    }

    /** Adds an exact amount (scale 2 or less) to the user {@code userId}. */
    void add(String userId, BigDecimal amount) {
        byte[] k = userId.getBytes(StandardCharsets.UTF_8);
        BigDecimal c = amount.movePointRight(2);
        long delta;
        try {
            delta = c.longValueExact();
        } catch (ArithmeticException e) {
            add(k, 0, k.length, 0);
            int i = slot(k, 0, k.length, hash(k, 0, k.length));
            big[i] = value(i).add(amount);
            return;
        }
        add(k, 0, k.length, delta);
    }

    /** Adds every sum of {@code other} into this table. */
    void addAll(UserTable other) {
        for (int i = 0; i < other.keys.length; i++) {
            byte[] k = other.keys[i];
            if (k != null) {
                if (other.big[i] == null) {
                    add(k, 0, k.length, other.cents[i]);
                } else {
                    add(new String(k, StandardCharsets.UTF_8), other.big[i]);
                }
            }
        }
    }

    int size() {
        return size;
    }

    /** The UTF-8 bytes of all its user ids together. */
    long idBytes() {
        return idBytes;
    }

    /**
     * The users and each one's exact sum, in no particular order: the two parameters {@code users} and {@code amounts}
     * of {@link ApplyTotals} (its SQL sorts them itself, so that every process locks rows in one order). The users are
     * the table's own id bytes (UTF-8), not copied; the amounts are the sums in cents ({@code long[]}), or, when a sum
     * has left the long's range, every amount as plain decimal text ({@code String[]}).
     * <p>
     * Why no String per user: a batch of 417,000 users made 834,000 Strings here, and ApplyTotals made their bytes
     * again for COPY: 88-300 ms a batch on G1 (a throw-away harness, four rounds), against 5-10 ms for the bytes and
     * cents written straight into COPY's buffer. The million distinct users of bench/e2e.sh have batches that large.
     */
    Columns columns() {
        byte[][] users = new byte[size][];
        long[] sums = new long[size];
        boolean anyBig = false;
        int n = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                users[n] = keys[i];
                sums[n++] = cents[i];
                anyBig |= big[i] != null;
            }
        }
        if (!anyBig) {
            return new Columns(users, sums);
        }
        String[] text = new String[size];
        n = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                text[n++] = big[i] != null ? big[i].toPlainString() : Cents.plain(cents[i]);
            }
        }
        return new Columns(users, text);
    }

    /** {@link #columns}: {@code users} UTF-8 ids, {@code amounts} a {@code long[]} of cents or a {@code String[]}. */
    record Columns(byte[][] users, Object amounts) {

        /** The id of user {@code i} as text. */
        String user(int i) {
            return new String(users[i], StandardCharsets.UTF_8);
        }

        /** The amount of user {@code i} as plain decimal text. */
        String amount(int i) {
            return amounts instanceof long[] c ? Cents.plain(c[i]) : ((String[]) amounts)[i];
        }
    }

    private BigDecimal value(int i) {
        return big[i] != null ? big[i] : BigDecimal.valueOf(cents[i], 2);
    }

    private void addAt(int i, long delta) {
        if (big[i] != null) {
            big[i] = big[i].add(BigDecimal.valueOf(delta, 2));
            return;
        }
        long sum = cents[i] + delta;
        if (((cents[i] ^ sum) & (delta ^ sum)) < 0) { // Math.addExact's overflow test, without the exception
            big[i] = BigDecimal.valueOf(cents[i], 2).add(BigDecimal.valueOf(delta, 2));
            return;
        }
        cents[i] = sum;
    }

    private int slot(byte[] b, int from, int to, int h) {
        int mask = keys.length - 1;
        int i = h & mask;
        while (true) {
            byte[] k = keys[i];
            if (k == null || (hashes[i] == h && Arrays.equals(k, 0, k.length, b, from, to))) {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    private void grow() {
        byte[][] oldKeys = keys;
        int[] oldHashes = hashes;
        long[] oldCents = cents;
        BigDecimal[] oldBig = big;
        int n = oldKeys.length * 2;
        keys = new byte[n][];
        hashes = new int[n];
        cents = new long[n];
        big = new BigDecimal[n];
        int mask = n - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != null) {
                int i = oldHashes[j] & mask;
                while (keys[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                hashes[i] = oldHashes[j];
                cents[i] = oldCents[j];
                big[i] = oldBig[j];
            }
        }
    }

    /** FNV-1a over the bytes, then mixed (linear probing wants the low bits spread). */
    private static int hash(byte[] b, int from, int to) {
        int h = 0x811c9dc5;
        for (int i = from; i < to; i++) {
            h = (h ^ b[i]) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }
}
