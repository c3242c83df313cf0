package etl.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;

import org.junit.jupiter.api.Test;

/**
 * The processor's rehearsal (the JIT's warm-up) writes every user's row once, and the rows it writes are the ones a
 * real COPY gets ({@link ApplyTotals#rows}, the code both share): new users in their ids' byte order without a place,
 * the others with their places, escapes and signs as COPY's text format wants them.
 */
class BatchRehearsalTest {

    @Test
    void everyRehearsedUserIsWrittenOnce() {
        // a batch of 1,000 new users, one of 500 new and 500 known, twenty of 40
        assertEquals(1000 + 1000 + 20 * 40, BatchRehearsal.run(1000));
        assertEquals(2 + 20 * 40, BatchRehearsal.run(1));
    }

    @Test
    void theRowsAreCopysTextInIdOrderOrWithTheirPlaces() throws SQLException {
        byte[][] ids = {"user2".getBytes(StandardCharsets.UTF_8), "a\tb\\c".getBytes(StandardCharsets.UTF_8),
                "user10".getBytes(StandardCharsets.UTF_8), "é".getBytes(StandardCharsets.UTF_8)};
        long[] cents = {1050, -5, 0, Long.MIN_VALUE};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // user10 (place 2) left out: the new users in byte order (UTF-8's é after every ASCII id)
        ApplyTotals.rows(new ApplyTotals.CopyRows(out::write), ids, cents, null,
                new boolean[] {false, false, true, false}, false, true);
        assertEquals("a\\tb\\\\c\t-0.05\nuser2\t10.50\n\u00e9\t-92233720368547758.08\n",
                out.toString(StandardCharsets.UTF_8));
        out.reset();
        // the known ones with their places, in their places' order
        ApplyTotals.rows(new ApplyTotals.CopyRows(out::write), ids, cents, null,
                new boolean[] {true, false, false, true}, true, false);
        assertEquals("a\\tb\\\\c\t-0.05\t1\nuser10\t0.00\t2\n", out.toString(StandardCharsets.UTF_8));
        out.reset();
        // the known ones for the UPDATE's lookups in the key: with their places, in their ids' order
        ApplyTotals.rows(new ApplyTotals.CopyRows(out::write), ids, cents, null,
                new boolean[] {false, false, false, true}, true, true);
        assertEquals("a\\tb\\\\c\t-0.05\t1\nuser10\t0.00\t2\nuser2\t10.50\t0\n",
                out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theUpdateLooksUpAQuarterOfTheTableOrLessInItsKey() {
        assertTrue(ApplyTotals.probe(66_000, 445_000), "a large batch's known half beside a large table");
        assertTrue(ApplyTotals.probe(250, 1000));
        assertFalse(ApplyTotals.probe(251, 1000));
        assertFalse(ApplyTotals.probe(10_000, 10_000), "a batch of the whole table: the hash join");
        assertFalse(ApplyTotals.probe(0, 1000), "no user left for the UPDATE");
        assertTrue(ApplyTotals.probe(Integer.MAX_VALUE, Long.MAX_VALUE), "no overflow");
        assertFalse(ApplyTotals.probe(Integer.MAX_VALUE, Integer.MAX_VALUE));
    }
}
