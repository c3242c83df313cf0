package etl.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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

    /** A line as the processor reads it: without its newline, whatever its form. */
    private static SpoolRecord readBack(String line) throws IOException {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        assertEquals('\n', b[b.length - 1]);
        return SpoolRecord.read(java.util.Arrays.copyOf(b, b.length - 1));
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
            assertTrue(l.endsWith("}\n"), "ü is not in the compact form: " + l);
            assertEquals(1, l.split("\n", -1).length - 1, "one line per request: " + l);
            SpoolRecord r = readBack(l);
            assertEquals(r, SpoolRecord.parse(l));
            assertEquals("k\"1", r.key());
            assertEquals(want, r.events());
        }
        String compact = line(null, " " + b + "\n", false);
        assertTrue(compact.startsWith("@1\t"), "a number for an id becomes a plain one: " + compact);
        SpoolRecord single = readBack(compact);
        assertNull(single.key());
        assertEquals(List.of(want.get(1)), single.events());
    }

    @Test
    void tornLineIsAnError() {
        String l = line("k", "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1}", false);
        assertThrows(IOException.class, () -> readBack(l.substring(0, l.length() / 2) + "\n"));
        String json = new String(SpoolRecord.jsonLine("k", List.of(new Event("u", Event.ADD, BigDecimal.ONE))),
                StandardCharsets.UTF_8);
        assertThrows(IOException.class, () -> SpoolRecord.parse(json.substring(0, json.length() / 2)));
    }

    /**
     * The compact form, byte for byte: what {@code bench/gen.py} writes too (the same checksum from Python's zlib). A
     * subtract of 0 stays one ({@code -0}); a value of 10^16 or more, a key or an id beyond the form's bytes make the
     * request's line a JSON one.
     */
    @Test
    void theCompactFormByteForByte() throws IOException {
        List<Event> events = List.of(new Event("user0", Event.ADD, new BigDecimal("583.00")),
                new Event("user0", Event.SUBTRACT, new BigDecimal("262.00")),
                new Event("user0", Event.ADD, new BigDecimal("508")));
        assertEquals("@1\t3849d59a\t3\t-\tuser0\t58300\tuser0\t-26200\tuser0\t50800\n",
                new String(SpoolRecord.line(null, events), StandardCharsets.UTF_8));
        List<Event> zeros = List.of(new Event("a b~\u007f", Event.SUBTRACT, new BigDecimal("0.00")),
                new Event("x", Event.ADD, BigDecimal.ZERO),
                new Event("big", Event.ADD, new BigDecimal("9999999999999999.99")));
        String line = new String(SpoolRecord.line("k-1 ~", zeros), StandardCharsets.UTF_8);
        assertTrue(line.matches("@1\t[0-9a-f]{8}\t3\tkk-1 ~\ta b~\u007f\t-0\tx\t0\tbig\t999999999999999999\n"), line);
        SpoolRecord back = readBack(line);
        assertEquals(new SpoolRecord("k-1 ~", scaled(zeros)), back);
        assertTrue(((etl.event.CompactEvents) back.events()).subtract(0), "a subtract of 0");
        assertEquals(new SpoolRecord("", scaled(events)), readBack(new String(SpoolRecord.line("", events), StandardCharsets.UTF_8)));
        for (List<Event> json : List.of(
                List.of(new Event("u", Event.ADD, new BigDecimal("10000000000000000.00"))),
                List.of(new Event("u", Event.ADD, BigDecimal.ONE), new Event("\u00fc", Event.ADD, BigDecimal.ONE)),
                List.of(new Event("a\tb", Event.ADD, BigDecimal.ONE)),
                List.of(new Event("q\"", Event.ADD, BigDecimal.ONE)),
                List.of(new Event("\ud83d\ude00".repeat(100), Event.ADD, BigDecimal.ONE)))) {
            String l = new String(SpoolRecord.line(null, json), StandardCharsets.UTF_8);
            assertTrue(l.startsWith("{\"key\":null,"), l);
            assertEquals(new SpoolRecord(null, scaled(json)), readBack(l));
        }
        String tabKey = new String(SpoolRecord.line("t\tk", events), StandardCharsets.UTF_8);
        assertTrue(tabKey.startsWith("{\"key\":\"t\\tk\""), tabKey);
        assertEquals("t\tk", readBack(tabKey).key());
    }

    /** The events as the validator gives them: values with two places. */
    private static List<Event> scaled(List<Event> events) {
        return events.stream().map(e -> new Event(e.userId(), e.name(), e.value().setScale(2))).toList();
    }

    /**
     * A compact line with anything but what the server writes (every byte flipped in turn; NUL, invalid UTF-8, a lone
     * surrogate, a BOM in an id; another encoding; a count that does not match or is huge; a huge line; torn anywhere) is
     * an error naming why, never a request: read on its own or in place.
     */
    @Test
    void aCompactLineThatIsNotWhatWasWrittenIsNeverRead() {
        byte[] good = SpoolRecord.line("key", List.of(new Event("user1", Event.ADD, new BigDecimal("12.50")),
                new Event("u2", Event.SUBTRACT, new BigDecimal("0.07"))));
        byte[] stored = java.util.Arrays.copyOf(good, good.length - 1);
        for (int i = 0; i < stored.length; i++) {
            for (int flip : new int[] {1, 0x20, 0x80}) {
                byte[] bad = stored.clone();
                bad[i] ^= (byte) flip;
                assertThrows(IOException.class, () -> SpoolRecord.read(bad), "byte " + i + " ^ " + flip);
                byte[] inPlace = java.util.Arrays.copyOf(bad, bad.length + 1);
                inPlace[bad.length] = '\n';
                if (bad[0] == '@') { // a line that no longer starts so is not a compact one, and the JSON reader's
                    assertNull(SpoolRecord.readInPlace(inPlace, 0, inPlace.length, null), "byte " + i + " ^ " + flip);
                }
            }
        }
        for (int cut = 0; cut < stored.length; cut++) {
            byte[] torn = java.util.Arrays.copyOf(stored, cut);
            assertThrows(IOException.class, () -> SpoolRecord.read(torn), "torn at " + torn.length);
            assertNull(SpoolRecord.readInPlace(good, 0, cut, null), "torn at " + cut);
        }
        String[] garbage = {
            "@1\t", "@1\t00000000", "@1\tzzzzzzzz\t1\t-\tu\t1", "@1\t00000000\t999999999\t-\tu\t1",
            "@1\t00000000\t99999999999999999999\t-", "@1\t00000000\t1\t?\tu\t1", "@1\t00000000\t0\t-\t\t1",
            "@1\t00000000\t1\t-\tu\t007", "@1\t00000000\t1\t-\tu\t1234567890123456789",
            "@1\t00000000\t1\t-\tu\t--1", "@1\t00000000\t1\t-\tu\t1.5", "@1\t00000000\t1\t-\tu\t1\r",
            "@1\t00000000\t1\t-\t" + "x".repeat(256) + "\t1", "@1\t00000000\t1\t-\t" + "x".repeat(2_000_000)};
        List<byte[]> lines = new java.util.ArrayList<>();
        for (String g : garbage) {
            lines.add(g.getBytes(StandardCharsets.ISO_8859_1));
        }
        for (byte[] id : new byte[][] {{'u', 0}, {(byte) 0xC3}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'u'}, {'"'}, {'\\'}, "\u00fc".getBytes(StandardCharsets.ISO_8859_1),
            "\u00fc".getBytes(java.nio.charset.Charset.forName("UTF-16"))}) {
            // an id the compact form never holds, with a checksum that holds: still never read
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            body.writeBytes("1\t-\t".getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(id);
            body.writeBytes("\t100".getBytes(StandardCharsets.US_ASCII));
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(body.toByteArray());
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            line.writeBytes(String.format("@1\t%08x\t", crc.getValue()).getBytes(StandardCharsets.US_ASCII));
            line.writeBytes(body.toByteArray());
            lines.add(line.toByteArray());
        }
        byte[] bom = new byte[stored.length + 3];
        bom[0] = (byte) 0xEF;
        bom[1] = (byte) 0xBB;
        bom[2] = (byte) 0xBF;
        System.arraycopy(stored, 0, bom, 3, stored.length);
        lines.add(bom);
        for (byte[] l : lines) {
            String shown = new String(l, 0, Math.min(l.length, 80), StandardCharsets.ISO_8859_1);
            IOException e = assertThrows(IOException.class, () -> SpoolRecord.read(l), shown);
            assertNotNull(e.getMessage(), shown);
            byte[] inPlace = java.util.Arrays.copyOf(l, l.length + 1);
            inPlace[l.length] = '\n';
            assertNull(SpoolRecord.readInPlace(inPlace, 0, inPlace.length, null), shown);
        }
        IOException count = assertThrows(IOException.class, () -> SpoolRecord.read(
                "@1\t00000000\t2\t-\tu\t1".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(count.getMessage().contains("not as many"), count.getMessage());
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
            byte[] json = SpoolRecord.jsonLine(key, events);
            String jsonText = new String(json, 0, json.length - 1, StandardCharsets.UTF_8);
            assertEquals(SpoolRecord.parse(jsonText), fast);
            assertEquals(SpoolRecord.read(java.util.Arrays.copyOf(json, json.length - 1)), fast);
            assertEquals(new SpoolRecord(key, events), fast);
        }
    }

    @Test
    void aLineWhoseChecksumDoesNotHoldIsNeverRead() {
        List<Event> events = List.of(new Event("u", Event.ADD, new BigDecimal("12.50")));
        byte[] compact = stored("k", events);
        byte[] changed = compact.clone();
        changed[new String(compact, StandardCharsets.UTF_8).indexOf("1250")] = '9';
        IOException c = assertThrows(IOException.class, () -> SpoolRecord.read(changed));
        assertTrue(c.getMessage().contains("checksum"), c.getMessage());
        byte[] json = SpoolRecord.jsonLine("k", events);
        byte[] line = java.util.Arrays.copyOf(json, json.length - 1);
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
            String key = rnd.nextBoolean() ? null : "k" + r;
            byte[] line = rnd.nextInt(3) == 0 ? SpoolRecord.jsonLine(key, events) : SpoolRecord.line(key, events);
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

        byte[] line = SpoolRecord.jsonLine("k", List.of(new Event("user7", Event.ADD, new BigDecimal("12.50"))));
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
    void aLineCopiedFromTheRequestsBytesIsTheLineWrittenFromEvents() throws IOException {
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
            byte[] written = SpoolRecord.line(key, new java.util.ArrayList<>(parsed.events())); // from Events
            assertEquals(new String(written, StandardCharsets.UTF_8), new String(copied, StandardCharsets.UTF_8));
            assertEquals(copied[0] == '@', key == null || key.chars().allMatch(ch -> ch >= 0x20 && ch <= 0x7e
                    && ch != '"' && ch != '\\'), "the compact form for every plain key");
            byte[] json = SpoolRecord.jsonLine(key, parsed.events());
            assertEquals(new SpoolRecord(key, parsed.events()),
                    SpoolRecord.read(java.util.Arrays.copyOf(json, json.length - 1)));
            // and the processor reads it back as the events the door accepted
            assertEquals(new SpoolRecord(key, parsed.events()),
                    SpoolRecord.read(java.util.Arrays.copyOf(copied, copied.length - 1)));
        }
        assertEquals(300, compactLines, "every body here is in the common form");
    }
}
