package etl.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

class CentsTest {

    @Test
    void isWhatBigDecimalWrites() {
        long[] edges = {0, 1, 5, 9, 10, 99, 100, 101, 58300, -1, -5, -99, -100, -58300, Long.MAX_VALUE, Long.MIN_VALUE,
            Long.MIN_VALUE + 1, 9_999_999_999_999_999L, 1_000_000_000_000_000_000L};
        Random rnd = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            long c = i < edges.length ? edges[i] : switch (i % 3) {
                case 0 -> rnd.nextLong();
                case 1 -> rnd.nextInt();
                default -> rnd.nextInt(1000) - 500;
            };
            assertEquals(BigDecimal.valueOf(c, 2).toPlainString(), Cents.plain(c), "cents " + c);
            if (c >= 0) { // what the spool line's exact length counts on
                assertEquals(Cents.plain(c).length(), Cents.length(c), "length of cents " + c);
            }
        }
    }

    @Test
    void wholeNumbersAreWhatLongWrites() {
        long[] edges = {0, 1, 9, 10, 99, 100, 999_999, 1_000_000, Integer.MAX_VALUE, Long.MAX_VALUE};
        Random rnd = new Random(5);
        byte[] out = new byte[2 + 19 + 2];
        for (int i = 0; i < 20_000; i++) {
            long v = i < edges.length ? edges[i] : (i % 2 == 0 ? rnd.nextLong() & Long.MAX_VALUE : rnd.nextInt(100_000));
            out[0] = 'x';
            out[1] = '\t';
            int end = Cents.whole(out, 2, v);
            assertEquals("x\t" + v, new String(out, 0, end, StandardCharsets.US_ASCII), "whole " + v);
            assertEquals(Long.toString(v).length(), Cents.digits(v), "digits of " + v);
        }
    }
}
