package etl.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ListingStepsTest {

    @Test
    void aCursorIsTheLastUserIdAndComesBack() {
        for (String id : new String[] {"user1", "ü 😀/+=?&", "a".repeat(255), "line\nbreak"}) {
            String cursor = ListingSteps.encode(id);
            assertEquals(-1, cursor.indexOf('='), "no padding");
            assertEquals(id, ListingSteps.decode(cursor));
        }
    }

    @Test
    void whatNoCursorCanBeIsRefused() {
        assertNull(ListingSteps.decode("!!"));
        assertNull(ListingSteps.decode("AA")); // NUL
        assertNull(ListingSteps.decode("_w")); // 0xFF
        assertNull(ListingSteps.decode("7aCA")); // an encoded surrogate
        assertNull(ListingSteps.decode(ListingSteps.encode("a".repeat(256))));
    }
}
