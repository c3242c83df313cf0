package etl.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
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
}
