package etl.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The guess of which users have a total: what it learned, what it does not know, its bound, its rest after a miss. */
class KnownUsersTest {

    private static byte[][] ids(String... s) {
        byte[][] ids = new byte[s.length][];
        for (int i = 0; i < s.length; i++) {
            ids[i] = s[i].getBytes(StandardCharsets.UTF_8);
        }
        return ids;
    }

    /** The fingerprints of these ids, as ApplyTotals hands them over. */
    private static long[] of(byte[][] ids) {
        return KnownUsers.fingerprints(ids);
    }

    private static long[] of(String... s) {
        return of(ids(s));
    }

    @Test
    void knowsWhatItLearnedAndNothingElse() {
        KnownUsers known = new KnownUsers(1_000_000);
        assertArrayEquals(new boolean[] {false, false}, known.guess(of("a", "b")), "nothing learned yet: all new");
        // ids that differ in one byte, a NUL, bytes past ASCII, the empty id, one id a prefix of another
        byte[][] learned = {"user1".getBytes(StandardCharsets.UTF_8), "user2".getBytes(StandardCharsets.UTF_8),
            {'n', 0, 'l'}, {(byte) 0xC3, (byte) 0xA9}, {}, "user10".getBytes(StandardCharsets.UTF_8)};
        known.learn(of(learned));
        known.learn(of(learned)); // twice: still one each
        assertEquals(6, known.size());
        assertNull(known.guess(of(learned)), "all of them known: no guess needed");
        assertArrayEquals(new boolean[] {true, false, false, true, false},
                known.guess(of("user1", "user3", "user100", "user10", "use")));
        assertArrayEquals(new boolean[] {false, true}, known.guess(of(new byte[][] {{'n', 0, 'm'}, {'n', 0, 'l'}})));
    }

    @Test
    void growsTo200000UsersWithoutForgettingOne() {
        KnownUsers known = new KnownUsers(1_000_000);
        byte[][] all = new byte[200_000][];
        for (int i = 0; i < all.length; i++) {
            all[i] = ("user" + i).getBytes(StandardCharsets.UTF_8);
        }
        for (int from = 0; from < all.length; from += 10_000) {
            known.learn(of(java.util.Arrays.copyOfRange(all, from, from + 10_000)));
        }
        assertEquals(200_000, known.size());
        assertNull(known.guess(of(all)));
        boolean[] others = known.guess(of("user200000", "user-1", "user0"));
        assertArrayEquals(new boolean[] {false, false, true}, others);
    }

    @Test
    void learnsNoMoreThanItsBoundAndNothingWhenOff() {
        KnownUsers bounded = new KnownUsers(3);
        bounded.learn(of("a", "b", "c", "d", "e"));
        assertEquals(3, bounded.size());
        assertArrayEquals(new boolean[] {true, true, true, false, false}, bounded.guess(of("a", "b", "c", "d", "e")));

        KnownUsers off = new KnownUsers(0);
        off.learn(of("a"));
        assertEquals(0, off.size());
        assertNull(off.guess(of("a", "b")), "no guess: every user goes by the UPDATE");
    }

    @Test
    void restsForSomeBatchesAfterAGuessFailed() {
        KnownUsers known = new KnownUsers(100);
        known.learn(of("a"));
        known.missed();
        for (int i = 0; i < KnownUsers.RESTING; i++) {
            assertNull(known.guess(of("a", "b")), "resting: batch " + i + " without a guess");
        }
        assertArrayEquals(new boolean[] {true, false}, known.guess(of("a", "b")), "guessing again");
    }

    @Test
    void fingerprintsAreNeverTheEmptySlot() {
        assertNotEquals(0L, KnownUsers.fingerprint(new byte[0]));
        assertNotEquals(KnownUsers.fingerprint(ids("ab")[0]), KnownUsers.fingerprint(ids("ba")[0]));
    }
}
