package etl.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Events that copy their user ids: they keep nothing of the bytes they were read from, grow past a guess that was too
 * small, and give back the room of one that was far too large.
 */
class CompactEventsTest {

    @Test
    void copiedIdsOutliveTheBytesTheyCameFrom() {
        byte[] source = "xxalice--bob--carol".getBytes(StandardCharsets.US_ASCII);
        CompactEvents events = CompactEvents.copying(1, 1); // a guess far too small: grown
        events.addCopy(source, 2, 7, false, 150);
        events.addCopy(source, 9, 12, true, 0);
        events.addCopy(source, 14, 19, false, 1);
        java.util.Arrays.fill(source, (byte) '?'); // the buffer read over by the next file
        assertEquals(List.of(new Event("alice", Event.ADD, new BigDecimal("1.50")),
                new Event("bob", Event.SUBTRACT, new BigDecimal("0.00")),
                new Event("carol", Event.ADD, new BigDecimal("0.01"))), events);
        assertEquals(13, events.idBytes());
    }

    @Test
    void aGuessFarTooLargeIsGivenBack() {
        byte[] source = "u1".getBytes(StandardCharsets.US_ASCII);
        CompactEvents oneOfAGuessedFiveThousand = CompactEvents.copying(5_000, 40_000);
        oneOfAGuessedFiveThousand.addCopy(source, 0, 2, false, 100);
        oneOfAGuessedFiveThousand.trim();
        assertTrue(oneOfAGuessedFiveThousand.capacity() < 16, "capacity " + oneOfAGuessedFiveThousand.capacity());
        assertTrue(oneOfAGuessedFiveThousand.line().length < 64, "id bytes " + oneOfAGuessedFiveThousand.line().length);
        assertEquals(List.of(new Event("u1", Event.ADD, BigDecimal.ONE.setScale(2))), oneOfAGuessedFiveThousand);

        CompactEvents aboutRight = CompactEvents.copying(100, 200);
        for (int i = 0; i < 90; i++) {
            aboutRight.addCopy(source, 0, 2, true, i);
        }
        aboutRight.trim();
        assertEquals(100, aboutRight.capacity(), "a guess within twice is kept (no copy)");
    }
}
