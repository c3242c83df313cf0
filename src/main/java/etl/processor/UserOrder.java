package etl.processor;

import java.util.Arrays;

/**
 * User ids (their UTF-8 bytes) in PostgreSQL's {@code "C"} order, the order of the bytes taken unsigned (for UTF-8 it is
 * the code points' order): the order in which {@link ApplyTotals} copies a batch's new users into users_revenue, and
 * the bound at which it cuts a large batch in two.
 * <p>
 * Why: new ids in order reach the primary key's B-tree page after page, where ids in no order each find their page
 * anew. PostgreSQL 17, psql, 632,000 new users by COPY into users_revenue: 0.81-0.88 s in order against 1.94-2.12 s in
 * no order (into an empty table; 1.20-1.35 against 2.19-2.65 s into one of 300,000 users). Cut at a bound, the two
 * halves of a large batch fill different pages. The sort is an MSD radix sort on the bytes: 632,000 ids of
 * {@code user<n>} in 100-130 ms warm, against 320-460 ms for {@code Arrays.sort} with {@code Arrays::compareUnsigned};
 * no library at hand sorts byte strings so, and it is sixty lines. (Sorting before the MERGE used until then gained
 * nothing: the MERGE's inserts go row by row, and its own sort was level with this one's cost.)
 */
public final class UserOrder {

    /** A range this small is sorted by insertion: below it the radix's counting costs more than it saves. */
    private static final int SMALL = 24;
    /** How many ids {@link #pivot} looks at, at most. */
    private static final int SAMPLE = 1023;

    private UserOrder() {
    }

    /** The places of {@code ids} in their order: {@code ids[order[0]]} is the first. */
    public static int[] order(byte[][] ids) {
        return order(ids, new boolean[ids.length]);
    }

    /** The places of the {@code ids} not {@code left} out, in their order. */
    public static int[] order(byte[][] ids, boolean[] left) {
        int n = 0;
        for (boolean l : left) {
            n += l ? 0 : 1;
        }
        int[] order = new int[n];
        int longest = 0;
        for (int i = 0, j = 0; i < ids.length; i++) {
            if (!left[i]) {
                order[j++] = i;
                longest = Math.max(longest, ids[i].length);
            }
        }
        if (n > 1) {
            sort(ids, order, new int[n], 0, n, 0, new int[longest + 1][]);
        }
        return order;
    }

    /**
     * Where to cut {@code ids} into two halves of about the same size: the median of at most {@value #SAMPLE} of them,
     * evenly spaced (all of them when there are no more): the ids that sort before it are one half, the others the other.
     */
    public static byte[] pivot(byte[][] ids) {
        int n = Math.min(ids.length, SAMPLE);
        byte[][] sample = new byte[n][];
        for (int i = 0; i < n; i++) {
            sample[i] = ids[(int) ((long) i * ids.length / n)];
        }
        Arrays.sort(sample, Arrays::compareUnsigned);
        return sample[n / 2];
    }

    /** Whether {@code id} sorts before {@code pivot}. */
    public static boolean before(byte[] id, byte[] pivot) {
        return Arrays.compareUnsigned(id, pivot) < 0;
    }

    /** Byte {@code d} of {@code id} as 1-256, or 0 past its end (a shorter id sorts first). */
    private static int at(byte[] id, int d) {
        return d < id.length ? (id[d] & 0xff) + 1 : 0;
    }

    /**
     * Sorts {@code order[lo, hi)}, whose ids all begin with the same {@code d} bytes, by their bytes from {@code d} on.
     * {@code counts[d]}: the buckets' bounds at depth {@code d} (one per byte of the longest id), made once per depth: a
     * batch of a million users would otherwise make one array per range. The ranges being sorted at once have each a
     * depth of their own.
     */
    private static void sort(byte[][] ids, int[] order, int[] aux, int lo, int hi, int d, int[][] counts) {
        while (hi - lo > SMALL) {
            int[] count = counts[d] == null ? (counts[d] = new int[258]) : counts[d];
            Arrays.fill(count, 0);
            for (int i = lo; i < hi; i++) {
                count[at(ids[order[i]], d) + 1]++;
            }
            int single = -1;
            for (int b = 0; b < 257 && single < 0; b++) {
                single = count[b + 1] == hi - lo ? b : -1;
            }
            if (single == 0) {
                return; // every id ends here: all equal
            }
            if (single > 0) {
                d++; // a prefix they share: nothing to move
                continue;
            }
            for (int b = 0; b < 257; b++) {
                count[b + 1] += count[b];
            }
            for (int i = lo; i < hi; i++) {
                aux[count[at(ids[order[i]], d)]++] = order[i];
            }
            System.arraycopy(aux, 0, order, lo, hi - lo);
            // count[b] is now where bucket b ends; bucket 0 (the ids that end here) is in order already
            int start = count[0];
            for (int b = 1; b < 257; b++) {
                int end = count[b];
                if (end - start > 1) {
                    sort(ids, order, aux, lo + start, lo + end, d + 1, counts);
                }
                start = end;
            }
            return;
        }
        insertion(ids, order, lo, hi, d);
    }

    private static void insertion(byte[][] ids, int[] order, int lo, int hi, int d) {
        for (int i = lo + 1; i < hi; i++) {
            int o = order[i];
            byte[] id = ids[o];
            int j = i - 1;
            while (j >= lo && compareFrom(ids[order[j]], id, d) > 0) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = o;
        }
    }

    private static int compareFrom(byte[] a, byte[] b, int d) {
        return Arrays.compareUnsigned(a, d, a.length, b, d, b.length);
    }
}
