package etl.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class LinesTest {

    private static List<String> chunks(String text, int n) {
        List<String> out = new ArrayList<>();
        Lines.of(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), n).forEachRemaining(out::add);
        return out;
    }

    @Test
    void chunksKeepBlankLinesSoLineNumbersHold() {
        assertEquals(List.of("a\n\nc", "d\ne"), chunks("a\n\nc\nd\ne\n", 3));
        assertEquals(List.of("a\n\nc", "d\ne"), chunks("a\n\nc\nd\ne", 3));
        assertEquals(List.of("a\r", "", "b\rc"), chunks("a\r\n\nb\rc", 1));
        assertEquals(List.of(), chunks("", 5));
        assertEquals(List.of("ü"), chunks("ü", 2));
        assertEquals(List.of("", ""), chunks("\n\n", 1));
    }

    @Test
    void linesLongerThanTheBuffer() {
        String longLine = "x".repeat(200_000);
        assertEquals(List.of(longLine + "\nb", "c"), chunks(longLine + "\nb\nc\n", 2));
    }
}
