package etl.processor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import etl.event.Cents;

/**
 * Each user's running sum in a batch, keyed by the user id's UTF-8 bytes: an event read by the fast reader is added
 * straight from the spool line (no String made, no hash of one computed again), in cents in a {@code long}
 * (a sum that leaves the long's range goes on as a BigDecimal, so nothing is ever rounded or wrapped). Open
 * addressing with linear probing, a power-of-two table at most half full.
 * <p>
 * Why not a {@code HashMap<String, …>}: the profile of a 1M-event batch (JFR, bench/processor.sh) had half of the
 * processing thread in the map's look-ups of freshly made Strings (their hash computed per event) and in BigDecimal
 * additions.
 * <p>
 * Why a slot is two longs and the ids are bytes in one array: with a million distinct users (bench/processor.sh
 * 1000000 1000000) nearly every event's look-up misses the CPU's caches, and each array it touches is a miss of its
 * own. With a {@code byte[]} per id and the hashes, ids, sums and BigDecimals in four arrays, an event cost five
 * misses, and a batch of 632,000 users held as many small arrays, each a reference for G1 to track (its refinement
 * threads took 0.4 CPU s of that batch). A slot now holds its id's hash and place beside its sum, one cache line, and
 * the id's bytes are read only when the hash matches: 1M events of 632,000 users summed in 273-291 ms against 442-461
 * (a throw-away harness, a fresh JVM each, the table then made into the two columns). The million distinct users of
 * {@code bench/e2e.sh 1000000 1000000 3}: 4.49 / 3.84 / 3.63 s against 5.12 / 4.34 / 3.84 s, alternated, the JVM's CPU
 * 3.1-3.4 s against 3.5-3.9.
 */
final class UserTable {

    /**
     * Slot {@code i} is {@code slots[2i]}: the id's hash in the high 32 bits, its place in {@link #ids} plus one in
     * the low ones (0: the slot is free); and {@code slots[2i + 1]}: the sum in cents.
     */
    private long[] slots = new long[128];
    /** The ids, one after the other, each after its length ({@link #LONG_ID}: the length in the four bytes after). */
    private byte[] ids = new byte[1024];
    private int idsUsed;
    /** The bytes of the ids alone, without their lengths. */
    private long idBytes;
    /** A user's sum once it left the long's range, by slot; null until the first such sum (nearly every batch). */
    private BigDecimal[] big;
    private int size;

    /** The length byte of an id of 255 bytes or more: the length follows in four bytes. */
    private static final int LONG_ID = 255;

    /** Adds {@code delta} cents to the user whose id is {@code b[from, to)}. */
    void add(byte[] b, int from, int to, long delta) {
        addAt(slotFor(b, from, to), delta);
    }

    /** The slot of the id {@code b[from, to)}, taken for it (with a sum of 0) when it is not in the table yet. */
    private int slotFor(byte[] b, int from, int to) {
        int h = hash(b, from, to);
        int mask = (slots.length >> 1) - 1;
        int i = h & mask;
        while (true) {
            long m = slots[2 * i];
            if (m == 0) {
                break;
            }
            if ((int) (m >>> 32) == h && sameId((int) m - 1, b, from, to)) {
                return i;
            }
            i = (i + 1) & mask;
        }
        slots[2 * i] = ((long) h << 32) | (keep(b, from, to) + 1L);
        if (++size * 2 > slots.length >> 1) {
            grow();
            return slotFor(b, from, to);
        }
        return i;
    }

    /** Adds an exact amount (scale 2 or less) to the user {@code userId}. */
    void add(String userId, BigDecimal amount) {
        byte[] k = userId.getBytes(StandardCharsets.UTF_8);
        BigDecimal c = amount.movePointRight(2);
        long delta;
        try {
            delta = c.longValueExact();
        } catch (ArithmeticException e) {
            int i = slotFor(k, 0, k.length);
            big()[i] = value(i).add(amount);
            return;
        }
        add(k, 0, k.length, delta);
    }

    /** Adds every sum of {@code other} into this table. */
    void addAll(UserTable other) {
        for (int i = 0; i < other.slots.length >> 1; i++) {
            long m = other.slots[2 * i];
            if (m != 0) {
                int at = (int) m - 1;
                int from = other.idFrom(at);
                int to = from + other.idLength(at);
                if (other.big == null || other.big[i] == null) {
                    add(other.ids, from, to, other.slots[2 * i + 1]);
                } else {
                    add(new String(other.ids, from, to - from, StandardCharsets.UTF_8), other.big[i]);
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
     * their ids' UTF-8 bytes, an array each (copied out of the table's one array once, when the batch's sums are
     * final: in the harness above that copy is part of the 273-291 ms); the amounts are the sums in cents ({@code long[]}), or, when a sum
     * has left the long's range, every amount as plain decimal text ({@code String[]}).
     * <p>
     * Why no String per user: a batch of 417,000 users made 834,000 Strings here, and ApplyTotals made their bytes
     * again for COPY: 88-300 ms a batch on G1 (a throw-away harness, four rounds), against 5-10 ms for the bytes and
     * cents written straight into COPY's buffer. The million distinct users of bench/e2e.sh have batches that large.
     */
    Columns columns() {
        byte[][] users = new byte[size][];
        long[] sums = new long[size];
        int n = 0;
        for (int i = 0; i < slots.length >> 1; i++) {
            long m = slots[2 * i];
            if (m != 0) {
                int at = (int) m - 1;
                int from = idFrom(at);
                users[n] = Arrays.copyOfRange(ids, from, from + idLength(at));
                sums[n++] = slots[2 * i + 1];
            }
        }
        if (big == null) {
            return new Columns(users, sums);
        }
        String[] text = new String[size];
        n = 0;
        for (int i = 0; i < slots.length >> 1; i++) {
            if (slots[2 * i] != 0) {
                text[n++] = big[i] != null ? big[i].toPlainString() : Cents.plain(slots[2 * i + 1]);
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
        return big != null && big[i] != null ? big[i] : BigDecimal.valueOf(slots[2 * i + 1], 2);
    }

    private BigDecimal[] big() {
        if (big == null) {
            big = new BigDecimal[slots.length >> 1];
        }
        return big;
    }

    private void addAt(int i, long delta) {
        if (big != null && big[i] != null) {
            big[i] = big[i].add(BigDecimal.valueOf(delta, 2));
            return;
        }
        long before = slots[2 * i + 1];
        long sum = before + delta;
        if (((before ^ sum) & (delta ^ sum)) < 0) { // Math.addExact's overflow test, without the exception
            big()[i] = BigDecimal.valueOf(before, 2).add(BigDecimal.valueOf(delta, 2));
            return;
        }
        slots[2 * i + 1] = sum;
    }

    /** Whether the id kept at {@code at} in {@link #ids} is {@code b[from, to)}. */
    private boolean sameId(int at, byte[] b, int from, int to) {
        int length = idLength(at);
        int start = idFrom(at);
        return length == to - from && Arrays.equals(ids, start, start + length, b, from, to);
    }

    private int idLength(int at) {
        int length = ids[at] & 0xff;
        return length < LONG_ID ? length : (int) INT.get(ids, at + 1);
    }

    private int idFrom(int at) {
        return at + ((ids[at] & 0xff) < LONG_ID ? 1 : 5);
    }

    /** Appends the id {@code b[from, to)} to {@link #ids}: its place there. */
    private int keep(byte[] b, int from, int to) {
        int length = to - from;
        int need = length + (length < LONG_ID ? 1 : 5);
        if (idsUsed + need > ids.length) {
            long grown = Math.max(2L * ids.length, (long) idsUsed + need);
            if (grown > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("a batch's user ids take more than 2 GB: set etl.processor.batch-memory");
            }
            ids = Arrays.copyOf(ids, (int) grown);
        }
        int at = idsUsed;
        if (length < LONG_ID) {
            ids[at] = (byte) length;
        } else {
            ids[at] = (byte) LONG_ID;
            INT.set(ids, at + 1, length);
        }
        System.arraycopy(b, from, ids, idFrom(at), length);
        idsUsed += need;
        idBytes += length;
        return at;
    }

    private void grow() {
        long[] old = slots;
        BigDecimal[] oldBig = big;
        slots = new long[old.length * 2];
        big = oldBig == null ? null : new BigDecimal[slots.length >> 1];
        int mask = (slots.length >> 1) - 1;
        for (int j = 0; j < old.length >> 1; j++) {
            long m = old[2 * j];
            if (m != 0) {
                int i = (int) (m >>> 32) & mask;
                while (slots[2 * i] != 0) {
                    i = (i + 1) & mask;
                }
                slots[2 * i] = m;
                slots[2 * i + 1] = old[2 * j + 1];
                if (oldBig != null) {
                    big[i] = oldBig[j];
                }
            }
        }
    }

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    /** FNV-1a over the bytes, then mixed (linear probing wants the low bits spread). */
    private static int hash(byte[] b, int from, int to) {
        int h = 0x811c9dc5;
        for (int i = from; i < to; i++) {
            h = (h ^ b[i]) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }
}
