package etl.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import etl.event.Event;
import etl.event.RequestParser;

class SpoolRecordTest {

    /** What the server spools for a body it accepted: the door's parser, then the canonical line. */
    private static String line(String key, String body, boolean jsonLines) {
        RequestParser.Parsed parsed = RequestParser.parse(body.getBytes(StandardCharsets.UTF_8),
                jsonLines ? "application/x-ndjson" : "application/json");
        assertTrue(parsed.ok(), parsed.invalid().toString());
        return new String(SpoolRecord.line(key, parsed.events()), StandardCharsets.UTF_8);
    }

    @Test
    void theThreeBodyFormsBecomeOneLineWithTheSameEvents() throws IOException {
        String a = "{\"userId\":\"ü \\\"x\\\"\\n\",\"name\":\"add_revenue\",\"value\":0.1,\"extra\":{\"userId\":\"no\"}}";
        String b = "{\"userId\":42,\"name\":\"subtract_revenue\",\"value\":1e2}";
        List<Event> want = List.of(new Event("ü \"x\"\n", Event.ADD, new BigDecimal("0.10")),
                new Event("42", Event.SUBTRACT, new BigDecimal("100.00")));
        for (String l : new String[] {
            line("k\"1", "[\n  " + a + ",\r\n  " + b + "\n]\n", false),
            line("k\"1", a + "\r\n\n  \n" + b, true)}) {
            assertTrue(l.endsWith("}\n"));
            assertEquals(1, l.split("\n", -1).length - 1, "one line per request: " + l);
            SpoolRecord r = SpoolRecord.parse(l);
            assertEquals("k\"1", r.key());
            assertEquals(want, r.events());
        }
        SpoolRecord single = SpoolRecord.parse(line(null, " " + b + "\n", false));
        assertNull(single.key());
        assertEquals(List.of(want.get(1)), single.events());
    }

    @Test
    void tornLineIsAnError() {
        String l = line("k", "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1}", false);
        assertThrows(IOException.class, () -> SpoolRecord.parse(l.substring(0, l.length() / 2)));
    }

    /** The line as the processor gets it from the file: without its newline. */
    private static byte[] stored(String key, List<Event> events) {
        byte[] l = SpoolRecord.line(key, events);
        return java.util.Arrays.copyOf(l, l.length - 1);
    }

    @Test
    void theFastReaderReadsWhatTheValidatorReads() throws IOException {
        java.util.Random rnd = new java.util.Random(7);
        String[] users = {"user1", "u", "ü", "\ud83d\ude00x", "a\"b", "back\\slash", "line\nbreak", "x".repeat(255),
            "tab\tin", "42", "\u00e9t\u00e9", "sp ace"};
        String[] keys = {null, "k", "k\"1", "clé", "inbox-abc-5000-3"};
        for (int r = 0; r < 300; r++) {
            List<Event> events = new java.util.ArrayList<>();
            for (int i = rnd.nextInt(6); i > 0; i--) {
                long cents = switch (rnd.nextInt(4)) {
                    case 0 -> rnd.nextInt(100);
                    case 1 -> rnd.nextInt(100_000);
                    case 2 -> Math.abs(rnd.nextLong() % 1_000_000_000_000_000_00L); // up to 10^18 - 0.01
                    default -> 9_999_999_999_999_999L; // 16 digits before the point: the fast path's largest
                };
                events.add(new Event(users[rnd.nextInt(users.length)], rnd.nextBoolean() ? Event.ADD : Event.SUBTRACT,
                        BigDecimal.valueOf(cents, 2)));
            }
            String key = keys[rnd.nextInt(keys.length)];
            byte[] line = stored(key, events);
            SpoolRecord fast = SpoolRecord.read(line);
            assertEquals(SpoolRecord.parse(new String(line, StandardCharsets.UTF_8)), fast);
            assertEquals(new SpoolRecord(key, events), fast);
        }
    }

    @Test
    void aLineWhoseChecksumDoesNotHoldIsNeverRead() {
        byte[] line = stored("k", List.of(new Event("u", Event.ADD, new BigDecimal("12.50"))));
        String text = new String(line, StandardCharsets.UTF_8);
        int digit = text.indexOf("12.50");
        byte[] flipped = line.clone();
        flipped[digit] = '9'; // still a valid event, but not the one that was written
        IOException e = assertThrows(IOException.class, () -> SpoolRecord.read(flipped));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        byte[] badHex = line.clone();
        badHex[badHex.length - 3] = 'z';
        assertThrows(IOException.class, () -> SpoolRecord.read(badHex));
        // torn anywhere: never a request
        for (int cut = 1; cut < line.length; cut += 7) {
            byte[] torn = java.util.Arrays.copyOf(line, cut);
            assertThrows(IOException.class, () -> SpoolRecord.read(torn), "torn at " + cut);
        }
    }

    /**
     * A file's lines read in place, one after the other in one buffer: each gives what {@link SpoolRecord#read} gives for
     * the line alone, and the next starts after its newline; a line the in-place reader does not take whole (its
     * checksum off, torn, without its newline, in another form, garbage) gives null, so the caller reads it on its own.
     */
    @Test
    void linesReadInPlaceAreTheLinesReadOneByOne() throws IOException {
        java.util.Random rnd = new java.util.Random(5);
        String[] users = {"user1", "u", "ü", "a\"b", "x".repeat(255), "42"};
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        List<byte[]> lines = new java.util.ArrayList<>();
        for (int r = 0; r < 200; r++) {
            List<Event> events = new java.util.ArrayList<>();
            for (int i = rnd.nextInt(5); i > 0; i--) {
                events.add(new Event(users[rnd.nextInt(users.length)], rnd.nextBoolean() ? Event.ADD : Event.SUBTRACT,
                        BigDecimal.valueOf(rnd.nextInt(1_000_000), 2)));
            }
            byte[] line = SpoolRecord.line(rnd.nextBoolean() ? null : "k" + r, events);
            lines.add(line);
            file.writeBytes(line);
        }
        byte[] all = file.toByteArray();
        int at = 0;
        int inPlace = 0;
        for (byte[] line : lines) {
            SpoolRecord alone = SpoolRecord.read(java.util.Arrays.copyOf(line, line.length - 1));
            SpoolRecord.InPlace read = SpoolRecord.readInPlace(all, at, all.length, null);
            if (read == null) { // a user id the fast form does not take (ü, an escaped quote)
                assertTrue(alone.events().stream().anyMatch(e -> e.userId().equals("ü") || e.userId().equals("a\"b")));
            } else {
                assertEquals(alone, read.record());
                assertEquals(at + line.length, read.next());
                inPlace++;
            }
            at += line.length;
        }
        assertTrue(inPlace > 50, "most lines are in the fast form: " + inPlace);

        byte[] line = SpoolRecord.line("k", List.of(new Event("user7", Event.ADD, new BigDecimal("12.50"))));
        byte[] two = new byte[line.length * 2];
        System.arraycopy(line, 0, two, 0, line.length);
        System.arraycopy(line, 0, two, line.length, line.length);
        assertEquals(line.length, SpoolRecord.readInPlace(two, 0, two.length, null).next());
        assertEquals(two.length, SpoolRecord.readInPlace(two, line.length, two.length, null).next());
        String text = new String(line, StandardCharsets.UTF_8);
        byte[] flipped = two.clone();
        flipped[line.length + text.indexOf("12.50")] = '9';
        assertNull(SpoolRecord.readInPlace(flipped, line.length, flipped.length, null), "checksum off");
        byte[] noNewline = java.util.Arrays.copyOf(line, line.length - 1);
        assertNull(SpoolRecord.readInPlace(noNewline, 0, noNewline.length, null), "no newline: torn, or cut by the end");
        for (int cut = 1; cut < line.length; cut += 3) {
            assertNull(SpoolRecord.readInPlace(two, 0, cut, null), "torn at " + cut);
        }
        byte[] crlf = (text.substring(0, text.length() - 1) + "\r\n").getBytes(StandardCharsets.UTF_8);
        assertNull(SpoolRecord.readInPlace(crlf, 0, crlf.length, null), "anything but the newline after the line");
        for (byte[] garbage : new byte[][] {
            {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '\n'}, {0, '\n'}, {(byte) 0xC3, '\n'}, {'\n'}, {},
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80, '\n'}, // a lone surrogate, as UTF-8 would carry it
            ("[".repeat(100_000) + "\n").getBytes(StandardCharsets.US_ASCII), // deep nesting
            ("{\"key\":\"" + "x".repeat(2_000_000) + "\"\n").getBytes(StandardCharsets.US_ASCII), // a huge line
            ("{\"key\":null,\"events\":[{\"userId\":\"\u00fc\",\"name\":\"add_revenue\",\"value\":1.00}]"
                    + ",\"crc32\":\"00000000\"}\n").getBytes(StandardCharsets.ISO_8859_1), // another encoding
            "{\"key\":null,\"events\":[{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1.5}]}\n"
                    .getBytes(StandardCharsets.UTF_8)}) {
            assertNull(SpoolRecord.readInPlace(garbage, 0, garbage.length, null),
                    new String(garbage, StandardCharsets.UTF_8));
        }
    }

    @Test
    void aLineWithoutChecksumOrInAnotherFormIsReadByTheValidator() throws IOException {
        // a line of the former format (no checksum), as an older server spooled it
        String old = "{\"key\":\"k\",\"events\":[{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1.5}]}";
        assertEquals(new SpoolRecord("k", List.of(new Event("u", Event.ADD, new BigDecimal("1.50")))),
                SpoolRecord.read(old.getBytes(StandardCharsets.UTF_8)));
        // a checksum that holds over a layout the fast reader does not know (spaces): read, and validated
        String spaced = "{\"key\": null, \"events\": [{\"userId\": \"u\", \"name\": \"subtract_revenue\", \"value\": 2}]";
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(spaced.getBytes(StandardCharsets.UTF_8));
        byte[] line = (spaced + String.format(",\"crc32\":\"%08x\"}", crc.getValue())).getBytes(StandardCharsets.UTF_8);
        assertEquals(new SpoolRecord(null, List.of(new Event("u", Event.SUBTRACT, new BigDecimal("2.00")))),
                SpoolRecord.read(line));
        // and one whose content the validator refuses (three places) is an error even with a checksum that holds
        String bad = "{\"key\":null,\"events\":[{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1.005}]";
        crc.reset();
        crc.update(bad.getBytes(StandardCharsets.UTF_8));
        byte[] badLine = (bad + String.format(",\"crc32\":\"%08x\"}", crc.getValue())).getBytes(StandardCharsets.UTF_8);
        assertThrows(IOException.class, () -> SpoolRecord.read(badLine));
    }

    @Test
    void aLineCopiedFromTheRequestsBytesIsTheLineJacksonWrites() throws IOException {
        java.util.Random rnd = new java.util.Random(11);
        // every byte the common form lets into a user id: printable ASCII and DEL, no quote, no backslash
        StringBuilder alphabet = new StringBuilder();
        for (char ch = 0x20; ch <= 0x7f; ch++) {
            if (ch != '"' && ch != '\\') {
                alphabet.append(ch);
            }
        }
        String[] keys = {null, "k", "inbox-abc-5000-3", "k\"1", "back\\slash", "clé", "tab\tkey", "", " ~"};
        long[] someCents = {0, 5, 99, 100, 58300, 1_000_000_007, 9_999_999_999_999_999L};
        int compactLines = 0;
        for (int r = 0; r < 300; r++) {
            StringBuilder body = new StringBuilder();
            for (int i = rnd.nextInt(7); i > 0; i--) {
                StringBuilder id = new StringBuilder();
                for (int j = 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 255 : 12); j > 0; j--) {
                    id.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
                }
                long cents = rnd.nextBoolean() ? someCents[rnd.nextInt(someCents.length)]
                        : Math.abs(rnd.nextLong() % 10_000_000_000_000_000L);
                String value = BigDecimal.valueOf(cents, 2).toPlainString();
                if (cents % 100 == 0 && rnd.nextBoolean()) {
                    value = Long.toString(cents / 100); // an integer, as clients mostly send it
                }
                body.append(rnd.nextBoolean() ? "" : "  ").append("{\"userId\":\"").append(id)
                        .append("\",\"name\":\"").append(rnd.nextBoolean() ? Event.ADD : Event.SUBTRACT)
                        .append("\",\"value\":").append(value).append("}\n");
            }
            RequestParser.Parsed parsed = RequestParser.parse(body.toString().getBytes(StandardCharsets.UTF_8),
                    "application/x-ndjson");
            assertTrue(parsed.ok(), parsed.invalid().toString());
            String key = keys[rnd.nextInt(keys.length)];
            compactLines += parsed.events() instanceof etl.event.CompactEvents ? 1 : 0;
            byte[] copied = SpoolRecord.line(key, parsed.events());
            byte[] written = SpoolRecord.line(key, new java.util.ArrayList<>(parsed.events())); // by Jackson
            assertEquals(new String(written, StandardCharsets.UTF_8), new String(copied, StandardCharsets.UTF_8));
            // and the processor reads it back as the events the door accepted
            assertEquals(new SpoolRecord(key, parsed.events()),
                    SpoolRecord.read(java.util.Arrays.copyOf(copied, copied.length - 1)));
        }
        assertEquals(300, compactLines, "every body here is in the common form");
    }
}
