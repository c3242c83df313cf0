package etl.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/**
 * The processor's sums by user id bytes, against BigDecimal sums in a TreeMap: the same users and totals to the cent,
 * through table growth, sums past a long's range (going on in BigDecimal, back and forth), user ids
 * that are not ASCII (their UTF-8 bytes), and tables added together.
 */
class UserTableTest {

    @Test
    void theSameTotalsAsBigDecimalsInTheSameOrder() {
        Random r = new Random(11);
        UserTable a = new UserTable();
        UserTable b = new UserTable();
        Map<String, BigDecimal> expected = new TreeMap<>();
        String[] users = new String[3000];
        for (int i = 0; i < users.length; i++) {
            users[i] = switch (i % 4) {
                case 0 -> "u" + i;
                case 1 -> "ü-" + i + "-\u20ac";
                case 2 -> "\uD83D\uDE00" + i; // outside the BMP: a surrogate pair in UTF-16, four bytes in UTF-8
                default -> "user " + i;
            };
        }
        for (int n = 0; n < 200_000; n++) {
            String u = users[r.nextInt(users.length)];
            long cents = r.nextInt(10) == 0 ? Long.MAX_VALUE / 2 - r.nextInt(1000) : r.nextInt(100_000);
            if (r.nextBoolean()) {
                cents = -cents;
            }
            BigDecimal v = BigDecimal.valueOf(cents, 2);
            expected.merge(u, v, BigDecimal::add);
            UserTable t = n % 2 == 0 ? a : b;
            if (n % 3 == 0) {
                t.add(u, v);
            } else {
                byte[] k = ("xx" + u + "yy").getBytes(StandardCharsets.UTF_8);
                t.add(k, 2, k.length - 2, cents);
            }
        }
        a.addAll(b);
        UserTable.Columns columns = a.columns();
        assertEquals(expected.size(), a.size());
        Map<String, BigDecimal> got = new TreeMap<>();
        for (int i = 0; i < columns.users().length; i++) {
            assertEquals(null, got.put(columns.user(i), new BigDecimal(columns.amount(i))), "a user twice: "
                    + columns.user(i));
        }
        assertEquals(expected.keySet(), got.keySet());
        expected.forEach((u, v) -> assertEquals(0, v.compareTo(got.get(u)), u));
    }

    @Test
    void aSumPastTheLongGoesOnExactly() {
        UserTable t = new UserTable();
        byte[] u = "u".getBytes(StandardCharsets.UTF_8);
        t.add(u, 0, 1, Long.MAX_VALUE);
        t.add(u, 0, 1, Long.MAX_VALUE);
        t.add(u, 0, 1, 1);
        assertEquals(BigDecimal.valueOf(Long.MAX_VALUE, 2).multiply(BigDecimal.valueOf(2)).add(new BigDecimal("0.01"))
                .toPlainString(), t.columns().amount(0));
        t.add(u, 0, 1, -Long.MAX_VALUE);
        t.add(u, 0, 1, -Long.MAX_VALUE);
        assertEquals("0.01", t.columns().amount(0));
        // a table whose sums all stay in the long's range gives the cents themselves
        UserTable small = new UserTable();
        small.add(u, 0, 1, -5);
        small.add(u, 0, 1, 2);
        assertArrayEquals(new long[] {-3}, (long[]) small.columns().amounts());
        assertEquals("-0.03", small.columns().amount(0));
    }

    @Test
    void idsOfEveryLengthAreKeptApart() {
        // the table keeps an id's length in one byte below 255 and in four more from 255 on: ids around that edge
        // and far past it (a corrupted line's, before the database refuses it), which differ only in their last byte
        UserTable t = new UserTable();
        UserTable other = new UserTable();
        Map<String, Long> expected = new TreeMap<>();
        for (int length : new int[] {0, 1, 2, 253, 254, 255, 256, 257, 1020, 70_000}) {
            for (char last : new char[] {'a', 'b'}) {
                String id = "x".repeat(Math.max(0, length - 1)) + (length == 0 ? "" : String.valueOf(last));
                byte[] k = ("<" + id + ">").getBytes(StandardCharsets.UTF_8);
                t.add(k, 1, k.length - 1, length + 1);
                other.add(k, 1, k.length - 1, 2);
                expected.merge(id, length + 3L, Long::sum);
            }
        }
        t.addAll(other);
        assertEquals(expected.size(), t.size());
        assertEquals(expected.keySet().stream().mapToLong(String::length).sum(), t.idBytes());
        UserTable.Columns columns = t.columns();
        Map<String, Long> got = new TreeMap<>();
        for (int i = 0; i < columns.users().length; i++) {
            got.put(columns.user(i), ((long[]) columns.amounts())[i]);
        }
        assertEquals(expected, got);
    }
}
