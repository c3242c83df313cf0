package etl.processor;

/**
 * The users this process has applied sums to, as 64-bit fingerprints of their ids' bytes: a guess of which users of a
 * batch have a total already, so that {@link ApplyTotals} copies only those into {@code batch_sums} for its UPDATE,
 * and the others straight into users_revenue. Only ever a guess, in both directions, and either way the batch is
 * applied exactly: a user guessed known that has no total (two ids with one fingerprint; a batch that rolled back) is
 * not named by the UPDATE and goes into users_revenue with the new ones; a user guessed new that has a total (inserted
 * by another process, or before this one started) makes that COPY fail with a unique violation, and the batch is
 * applied the way it is without a guess, with all its users in {@code batch_sums}.
 * <p>
 * Why: of a batch of 252,000 users of whom 186,000 were new, in a table of 259,000 (the last batch of a million
 * distinct users), the COPY into batch_sums and the UPDATE's join took 102-129 and 336-403 ms with all of them, 28-42
 * and 280-317 ms with the known ones only (PostgreSQL 17, psql, two halves at once: 829-875 ms against 942-1,086 for
 * the batch).
 * <p>
 * Open addressing in a {@code long[]} (0 is an empty slot), grown by doubling at half full, up to {@code maxUsers}
 * fingerprints ({@code etl.processor.known-users}; 16-32 bytes a user, 32 MB for 2,000,000): past that it learns no
 * more, and the users it does not know are each guessed new. After a guess that failed, the next {@link #RESTING}
 * batches are applied without one (they still teach it their users): a process started beside a large table of totals
 * learns it without a failed COPY per batch. Thread-safe: a batch's two halves ask and teach it at once (each half
 * counts as a batch of its own here). A batch's ids are fingerprinted once ({@link #fingerprints}, outside the lock),
 * for the guess and then for the learning.
 */
public final class KnownUsers {

    /** Batches (each half of a split batch is one) applied without a guess after one failed. */
    static final int RESTING = 4;
    private static final int FIRST_SLOTS = 1 << 12;

    private final int maxUsers;
    private long[] slots;
    private int size;
    private int resting;

    /** {@code maxUsers}: how many fingerprints it holds at most; 0: none, every user is then guessed known. */
    public KnownUsers(int maxUsers) {
        this.maxUsers = Math.max(0, maxUsers);
        this.slots = new long[this.maxUsers == 0 ? 0 : FIRST_SLOTS];
    }

    /** The fingerprints of a batch's ids, for {@link #guess} and {@link #learn}. */
    public static long[] fingerprints(byte[][] ids) {
        long[] prints = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            prints[i] = fingerprint(ids[i]);
        }
        return prints;
    }

    /**
     * Which of the users of these {@link #fingerprints} are guessed known, or null when every one of them is to be
     * taken as known: no guess (turned off, or resting after a failed one), or all of them known.
     */
    public synchronized boolean[] guess(long[] prints) {
        if (maxUsers == 0) {
            return null;
        }
        if (resting > 0) {
            resting--;
            return null;
        }
        boolean[] known = new boolean[prints.length];
        int unknown = 0;
        for (int i = 0; i < prints.length; i++) {
            known[i] = contains(prints[i]);
            unknown += known[i] ? 0 : 1;
        }
        return unknown == 0 ? null : known;
    }

    /** A guess failed (a user guessed new had a total): the next batches are applied without one. */
    public synchronized void missed() {
        resting = RESTING;
    }

    /** The users of a batch that was applied, by their {@link #fingerprints}. */
    public synchronized void learn(long[] prints) {
        if (maxUsers == 0) {
            return;
        }
        for (long f : prints) {
            if (contains(f)) {
                continue;
            }
            if (size >= maxUsers) {
                return;
            }
            if (2 * (size + 1) > slots.length) {
                grow();
            }
            put(f);
        }
    }

    /** How many users it knows. */
    public synchronized int size() {
        return size;
    }

    private boolean contains(long f) {
        int mask = slots.length - 1;
        for (int s = (int) (f ^ (f >>> 32)) & mask; ; s = (s + 1) & mask) {
            if (slots[s] == f) {
                return true;
            }
            if (slots[s] == 0) {
                return false;
            }
        }
    }

    private void put(long f) {
        int mask = slots.length - 1;
        int s = (int) (f ^ (f >>> 32)) & mask;
        while (slots[s] != 0) {
            s = (s + 1) & mask;
        }
        slots[s] = f;
        size++;
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        size = 0;
        for (long f : old) {
            if (f != 0) {
                put(f);
            }
        }
    }

    /** FNV-1a over the bytes, then MurmurHash3's 64-bit finaliser; never 0 (the empty slot). */
    static long fingerprint(byte[] id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }
}
