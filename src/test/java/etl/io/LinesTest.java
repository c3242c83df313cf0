package etl.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class LinesTest {

    /** Each chunk's lines, decoded and joined by newlines. */
    private static List<String> chunks(String text, int n) {
        List<String> out = new ArrayList<>();
        Lines.chunks(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), n, Integer.MAX_VALUE - 16)
                .forEachRemaining(c -> out.add(String.join("\n", c.stream()
                        .map(l -> new String(l, StandardCharsets.UTF_8)).toList())));
        return out;
    }

    @Test
    void eachLineOfASpoolFileAsBytes() {
        List<String> out = new ArrayList<>();
        Lines.each(new ByteArrayInputStream("{\"a\"}\n\n{\"b\"}".getBytes(StandardCharsets.UTF_8)))
                .forEachRemaining(l -> out.add(new String(l, StandardCharsets.UTF_8)));
        assertEquals(List.of("{\"a\"}", "", "{\"b\"}"), out);
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

    /** Long lines are put together in one reused array: a shorter one after a longer one carries nothing of it. */
    @Test
    void longLinesOneAfterAnotherKeepTheirOwnBytes() {
        String a = "a".repeat(300_000);
        String b = "b".repeat(70_000);
        String c = "c".repeat(250_000);
        assertEquals(List.of(a, b, "short", c), chunks(a + "\n" + b + "\nshort\n" + c, 1));
        assertEquals(List.of(b + "\n" + a, c), chunks(b + "\n" + a + "\n" + c + "\n", 2));
    }

    @Test
    void bytesAreSplitOnNewlinesAndNeverDecoded() {
        byte[] file = {'a', (byte) 0xFF, '\n', (byte) 0xC0, (byte) 0xAF, '\n', 'b'};
        List<List<byte[]>> out = new ArrayList<>();
        Lines.chunks(new ByteArrayInputStream(file), 5, 100).forEachRemaining(out::add);
        assertEquals(1, out.size());
        assertEquals(3, out.get(0).size());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {'a', (byte) 0xFF}, out.get(0).get(0));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {(byte) 0xC0, (byte) 0xAF}, out.get(0).get(1));
    }

    @Test
    void aLineOverTheLimitKeepsOnlyItsStartAndTheNextLinesFollow() {
        String huge = "y".repeat(5_000_000);
        List<List<byte[]>> out = new ArrayList<>();
        Lines.chunks(new ByteArrayInputStream(("a\n" + huge + "\nb").getBytes(StandardCharsets.UTF_8)), 10, 1000)
                .forEachRemaining(out::add);
        List<byte[]> lines = out.get(0);
        assertEquals(3, lines.size());
        assertEquals(1001, lines.get(1).length, "the limit plus one byte stands for a longer line");
        assertEquals("b", new String(lines.get(2), StandardCharsets.UTF_8));
    }
}
