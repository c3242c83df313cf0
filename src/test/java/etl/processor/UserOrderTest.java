package etl.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The ids' order against {@code Arrays.compareUnsigned} (PostgreSQL's "C" order of the same bytes): ids that share long
 * prefixes, are prefixes of one another, hold bytes above 0x7F (signed in Java), NUL and every other byte, are empty, or
 * are many; and the cut of a large batch into two halves of about the same size.
 */
class UserOrderTest {

    private static void assertSorted(byte[][] ids) {
        int[] order = UserOrder.order(ids);
        byte[][] expected = ids.clone();
        Arrays.sort(expected, Arrays::compareUnsigned);
        byte[][] got = new byte[ids.length][];
        boolean[] seen = new boolean[ids.length];
        for (int i = 0; i < order.length; i++) {
            assertTrue(!seen[order[i]], "each place once");
            seen[order[i]] = true;
            got[i] = ids[order[i]];
        }
        for (int i = 0; i < ids.length; i++) {
            assertArrayEquals(expected[i], got[i], "place " + i);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void hostileAndAwkwardIdsInTheOrderOfTheirUnsignedBytes() {
        List<byte[]> ids = new ArrayList<>();
        for (String s : new String[] {"", "a", "ab", "abc", "user1", "user10", "user2", "User1", "\u00fc", "\u20ac",
            "\uD83D\uDE00", "\uFEFFbom", "tab\there", "nul\u0000x", "nul", "~", "\u007f"}) {
            ids.add(utf8(s));
        }
        for (int b = 0; b < 256; b++) { // every byte, alone and after a shared prefix: 0x80-0xFF sort after 0x7F
            ids.add(new byte[] {(byte) b});
            ids.add(new byte[] {'p', 'r', 'e', (byte) b, (byte) (255 - b)});
        }
        byte[] longId = new byte[1020];
        Arrays.fill(longId, (byte) 0xE2);
        ids.add(longId);
        ids.add(Arrays.copyOf(longId, 1019));
        assertSorted(ids.toArray(byte[][]::new));
    }

    @Test
    void manyIdsWithACommonPrefixAsTheBenchmarksMakeThem() {
        Random r = new Random(5);
        byte[][] ids = new byte[200_000][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = utf8(switch (i % 3) {
                case 0 -> "user" + r.nextInt(1_000_000);
                case 1 -> "customer-" + Long.toHexString(r.nextLong()) + "-\u00e9";
                default -> "user" + r.nextInt(1_000_000) + "/" + r.nextInt(10);
            });
        }
        assertSorted(ids);
    }

    @Test
    void nothingOrOneIdIsInOrder() {
        assertEquals(0, UserOrder.order(new byte[0][]).length);
        assertArrayEquals(new int[] {0}, UserOrder.order(new byte[][] {utf8("only")}));
    }

    @Test
    void thePivotCutsABatchIntoHalvesOfAboutTheSameSize() {
        for (int n : new int[] {2, 3, 12, 40, 1023, 1024, 250_000}) {
            Random r = new Random(n);
            byte[][] ids = new byte[n][];
            for (int i = 0; i < n; i++) {
                ids[i] = utf8("user" + i + "-" + r.nextInt(1000));
            }
            byte[] pivot = UserOrder.pivot(ids);
            int before = 0;
            for (byte[] id : ids) {
                before += UserOrder.before(id, pivot) ? 1 : 0;
                assertEquals(Arrays.compareUnsigned(id, pivot) < 0, UserOrder.before(id, pivot));
            }
            assertTrue(before > 0 && before < n, n + " ids: both halves hold some, " + before + " before");
            assertTrue(Math.abs(n - 2 * before) <= Math.max(2, n / 10), n + " ids: about even, " + before + " before");
        }
    }
}
