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

    /**
     * A chunk ends at its line count or after the line that brings it to its byte bound: a file of megabyte lines
     * (garbage: NUL, invalid UTF-8, a BOM) comes in chunks of a few lines, whatever the line count allows, so that
     * what a chunk holds stays bounded.
     */
    @Test
    void aChunkEndsAfterTheLineThatBringsItToItsByteBound() {
        byte[] garbage = new byte[1 << 20];
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = (byte) (i % 3 == 0 ? 0 : i % 3 == 1 ? 0xFF : 0xEF);
        }
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 10; i++) {
            file.writeBytes(garbage);
            file.write('\n');
        }
        file.writeBytes("a\nb\n".getBytes(StandardCharsets.UTF_8));
        List<List<byte[]>> out = new ArrayList<>();
        Lines.chunks(new ByteArrayInputStream(file.toByteArray()), 5000, 2_500_000, 1 << 20).forEachRemaining(out::add);
        assertEquals(List.of(3, 3, 3, 3), out.stream().map(List::size).toList(),
                "three megabyte lines reach 2.5 MB; the last chunk holds the tenth and the two short lines");
        long most = out.stream().mapToLong(c -> c.stream().mapToLong(l -> l.length + 1L).sum()).max().orElseThrow();
        org.junit.jupiter.api.Assertions.assertTrue(most <= 2_500_000 + (1 << 20) + 1, "at most the bound and a line");

        // short lines: the line count ends them; the same bytes give the same chunks
        assertEquals(List.of("a\nb", "c"), chunks("a\nb\nc\n", 2));
        List<Integer> again = new ArrayList<>();
        Lines.chunks(new ByteArrayInputStream(file.toByteArray()), 5000, 2_500_000, 1 << 20)
                .forEachRemaining(c -> again.add(c.size()));
        assertEquals(List.of(3, 3, 3, 3), again);
    }
}
