package etl.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
                new boolean[] {false, false, true, false}, false);
        assertEquals("a\\tb\\\\c\t-0.05\nuser2\t10.50\n\u00e9\t-92233720368547758.08\n",
                out.toString(StandardCharsets.UTF_8));
        out.reset();
        // the known ones with their places, in their places' order
        ApplyTotals.rows(new ApplyTotals.CopyRows(out::write), ids, cents, null,
                new boolean[] {true, false, false, true}, true);
        assertEquals("a\\tb\\\\c\t-0.05\t1\nuser10\t0.00\t2\n", out.toString(StandardCharsets.UTF_8));
    }
}
