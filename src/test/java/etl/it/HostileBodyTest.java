package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the door accepts, the processor applies: bodies with byte-level garbage (BOMs, other encodings, ill-formed
 * UTF-8, lone surrogates, NUL, odd white space, deep nesting, huge lines) are either refused with a 400 naming the
 * entry, or answered 200 and applied, every event of them. Nothing accepted is ever thrown away by the processor.
 */
class HostileBodyTest extends SystemTestBase {

    private static final String JSON = "application/json";
    private static final String NDJSON = "application/x-ndjson";

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else if (p instanceof byte[] b) {
                out.writeBytes(b);
            } else if (p instanceof int[] ints) {
                for (int i : ints) {
                    out.write(i);
                }
            }
        }
        return out.toByteArray();
    }

    private static String event(String user, String value) {
        return "{\"userId\":\"" + user + "\",\"name\":\"add_revenue\",\"value\":" + value + "}";
    }

    private static Http.Reply post(byte[] body, String contentType, String... more) throws Exception {
        String[] headers = new String[4 + more.length];
        headers[0] = AUTH;
        headers[1] = TOKEN;
        headers[2] = "Content-Type";
        headers[3] = contentType;
        System.arraycopy(more, 0, headers, 4, more.length);
        return Http.post(body, headers);
    }

    private static long rejectedOutboxEntries() throws IOException {
        Path dir = outbox().resolve(".rejected");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long n = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".rejected.jsonl")).toList()) {
                n += Files.readAllLines(f).size();
            }
        }
        return n;
    }

    private static void assertInvalidAt(Http.Reply r, int index, String reasonPart) {
        assertEquals(400, r.status(), r.body());
        assertEquals("application/json", r.contentType());
        JsonNode first = r.json().get("invalid").get(0);
        assertEquals(index, first.get("index").asInt(), r.body());
        assertTrue(first.get("reason").asText().contains(reasonPart), r.body());
    }

    @Test
    void byteOrderMarkBeforeABodyIsSkippedAndTheEventsApplied() throws Exception {
        String u = user("bom");
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        assertEquals(200, post(bytes(bom, event(u, "1")), JSON).status());
        assertEquals(200, post(bytes(bom, event(u, "2"), "\n", event(u, "3")), NDJSON).status());
        assertEquals(200, post(bytes(bom, "[", event(u, "4"), "]"), "application/x-www-form-urlencoded").status());
        Waits.revenue(u, "10", 5000);
    }

    @Test
    void otherEncodingsThanUtf8AreInvalid() throws Exception {
        String u = user("utf16");
        String e = event(u, "1");
        for (Charset cs : new Charset[] {StandardCharsets.UTF_16, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE,
            Charset.forName("UTF-32"), Charset.forName("UTF-32LE")}) {
            assertInvalidAt(post(e.getBytes(cs), JSON), 0, "");
            assertInvalidAt(post(e.getBytes(cs), NDJSON), 0, "");
        }
        // Latin-1: one byte 0xFC for ü is not UTF-8
        assertInvalidAt(post(event(u + "ü", "1").getBytes(StandardCharsets.ISO_8859_1), JSON), 0, "UTF-8");
        assertEquals(404, Http.get(u).status());
    }

    @Test
    void illFormedUtf8IsRefusedWithItsIndexNeverMerged() throws Exception {
        String u = user("badutf8");
        // JSON Lines: m\xFE and m\xFF were both taken as m\uFFFD, merging two users
        Http.Reply lines = post(bytes(event(u, "1"), "\n\n", "{\"userId\":\"" + u + "m", new int[] {0xFE},
                "\",\"name\":\"add_revenue\",\"value\":1}\n"), NDJSON);
        assertInvalidAt(lines, 2, "UTF-8");
        assertInvalidAt(post(bytes("{\"userId\":\"" + u + "m", new int[] {0xFF}, "\",\"name\":\"add_revenue\",\"value\":1}"),
                NDJSON), 0, "UTF-8");
        // overlong '/', CESU-8 surrogates, a byte above F4, a truncated sequence: in a JSON body and in an ignored field
        int[][] garbage = {{0xC0, 0xAF}, {0xED, 0xA0, 0x80, 0xED, 0xB0, 0x80}, {0xF5, 0x80, 0x80, 0x80}, {0xE2, 0x82}};
        for (int[] g : garbage) {
            assertInvalidAt(post(bytes("{\"userId\":\"" + u, g, "\",\"name\":\"add_revenue\",\"value\":1}"), JSON), 0,
                    "UTF-8");
            assertInvalidAt(post(bytes("[", event(u, "1"), ",{\"x\":\"", g, "\",\"userId\":\"" + u
                    + "\",\"name\":\"add_revenue\",\"value\":1}]"), JSON), 0, "UTF-8");
        }
        assertEquals(404, Http.get(u).status());
    }

    @Test
    void unpairedSurrogatesAreRefusedAndPairsApplied() throws Exception {
        String u = user("surr");
        assertInvalidAt(post(bytes("{\"userId\":\"" + u + "t\\ud800\",\"name\":\"add_revenue\",\"value\":1}"), JSON),
                0, "surrogate");
        assertInvalidAt(post(bytes(event(u, "1"), "\n", "{\"userId\":\"" + u + "\\udc00x\",\"name\":\"add_revenue\","
                + "\"value\":1}"), NDJSON), 1, "surrogate");
        String emoji = u + "\uD83D\uDE00";
        assertEquals(200, post(bytes("{\"userId\":\"" + u + "\\ud83d\\ude00\",\"name\":\"add_revenue\",\"value\":2}"),
                JSON).status());
        Waits.revenue(emoji, "2", 5000);
        assertEquals(404, Http.get(u).status());
    }

    @Test
    void whiteSpaceThatIsNotJsonsIsAnInvalidLine() throws Exception {
        String u = user("ws");
        for (String odd : new String[] {"\u000b", "\u000c", "\u001c", "\u2028", "\u3000", "\u00a0", "\u0000"}) {
            Http.Reply r = post(bytes(event(u, "1"), "\n", odd, "\n", event(u, "1")), NDJSON);
            assertInvalidAt(r, 1, "");
        }
        // JSON's own white space is blank: skipped
        assertEquals(200, post(bytes(event(u, "1"), "\n \t\r\n\r\n", event(u, "2")), NDJSON).status());
        Waits.revenue(u, "3", 5000);
    }

    @Test
    void deepNestingInAnIgnoredFieldIsAppliedOrRefusedNeverLost() throws Exception {
        String u = user("deep");
        String deep = "[".repeat(997) + "]".repeat(997);
        Http.Reply ok = post(bytes("{\"x\":" + deep + ",\"userId\":\"" + u + "\",\"name\":\"add_revenue\",\"value\":5}"),
                JSON);
        assertEquals(200, ok.status(), ok.body());
        Http.Reply okLine = post(bytes("{\"x\":" + deep + ",\"userId\":\"" + u
                + "\",\"name\":\"add_revenue\",\"value\":6}\n"), NDJSON);
        assertEquals(200, okLine.status(), okLine.body());
        String tooDeep = "[".repeat(5000) + "]".repeat(5000);
        assertInvalidAt(post(bytes("{\"x\":" + tooDeep + ",\"userId\":\"" + u
                + "\",\"name\":\"add_revenue\",\"value\":1}"), JSON), 0, "");
        Waits.revenue(u, "11", 5000);
    }

    @Test
    void nulBytesAndHugeLines() throws Exception {
        String u = user("nul");
        assertInvalidAt(post(bytes("{\"userId\":\"" + u, new int[] {0}, "\",\"name\":\"add_revenue\",\"value\":1}"),
                JSON), 0, "");
        assertInvalidAt(post(bytes("{\"userId\":\"" + u + "\\u0000\",\"name\":\"add_revenue\",\"value\":1}"), JSON),
                0, "NUL");
        // a NUL escaped in an ignored field is fine; a 3 MB line is fine
        String big = "x".repeat(3 << 20);
        assertEquals(200, post(bytes("{\"note\":\"a\\u0000b\",\"userId\":\"" + u
                + "\",\"name\":\"add_revenue\",\"value\":1}"), JSON).status());
        assertEquals(200, post(bytes("{\"note\":\"" + big + "\",\"userId\":\"" + u
                + "\",\"name\":\"add_revenue\",\"value\":2}\n"), NDJSON).status());
        Waits.revenue(u, "3", 10_000);
    }

    @Test
    void blankIdempotencyKeyIsRefused() throws Exception {
        String u = user("blankkey");
        for (String key : new String[] {"", "   "}) {
            Http.Reply r = post(bytes(event(u, "1")), JSON, "Idempotency-Key", key);
            assertEquals(400, r.status(), r.body());
            assertTrue(r.json().get("error").asText().contains("Idempotency-Key"), r.body());
        }
        assertEquals(404, Http.get(u).status());
    }

    /**
     * A property over generated bodies: one valid event for a fresh user, dressed in random ways (a BOM, the three
     * body forms, CRLF, odd white space, random bytes in an ignored string, nested ignored fields, escapes). Whatever
     * the answer, it must be kept: a 200 is applied exactly, a 400 leaves nothing, and the processor quarantines
     * nothing.
     */
    @Test
    void everyAcceptedBodyIsApplied() throws Exception {
        long seed = Long.getLong("hostile.seed", System.nanoTime());
        Random rnd = new Random(seed);
        long quarantinedBefore = rejectedOutboxEntries();
        Map<String, String> expected = new LinkedHashMap<>();
        List<String> refused = new ArrayList<>();
        int accepted = 0;
        for (int i = 0; i < 250; i++) {
            String u = user("gen" + i);
            String value = rnd.nextInt(100_000) + (rnd.nextBoolean() ? "" : "." + rnd.nextInt(10) + rnd.nextInt(10));
            byte[] body = Generated.body(rnd, u, value);
            String ct = rnd.nextBoolean() ? NDJSON : rnd.nextBoolean() ? JSON : "application/x-www-form-urlencoded";
            Http.Reply r = post(body, ct);
            if (r.status() == 200) {
                accepted++;
                assertEquals(1, r.json().get("accepted").asInt(), "seed " + seed + ": " + r.body());
                expected.put(u, value);
            } else {
                assertEquals(400, r.status(), "seed " + seed + ": " + r.body());
                refused.add(u);
            }
        }
        for (Map.Entry<String, String> e : expected.entrySet()) {
            try {
                Waits.revenue(e.getKey(), e.getValue(), 10_000);
            } catch (AssertionError err) {
                throw new AssertionError("seed " + seed + ": " + err.getMessage(), err);
            }
        }
        for (String u : refused) {
            assertEquals(404, Http.get(u).status(), "seed " + seed + ": refused body applied for " + u);
        }
        assertEquals(quarantinedBefore, rejectedOutboxEntries(), "seed " + seed + ": the processor threw lines away");
        assertTrue(accepted > 25 && refused.size() > 25, "seed " + seed + ": " + accepted + " accepted, "
                + refused.size() + " refused: the generator should produce both");
        System.out.println("HostileBodyTest seed " + seed + ": " + accepted + " accepted and applied, " + refused.size()
                + " refused");
    }

    /** The generator of dressed-up bodies. */
    static final class Generated {
        private static final String[] SPACES = {"", " ", "\t", "\r", "\u000b", "\u000c", "\u00a0", "\u2028", "\u3000",
            "\ufeff"};

        static byte[] body(Random rnd, String user, String value) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (rnd.nextInt(4) == 0) {
                out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
            }
            String space = rnd.nextInt(3) == 0 ? SPACES[rnd.nextInt(SPACES.length)] : "";
            out.writeBytes(space.getBytes(StandardCharsets.UTF_8));
            boolean array = rnd.nextInt(3) == 0;
            if (array) {
                out.write('[');
            }
            out.writeBytes(("{\"userId\":\"" + user + "\",").getBytes(StandardCharsets.UTF_8));
            if (rnd.nextBoolean()) {
                out.writeBytes("\"note\":\"".getBytes(StandardCharsets.UTF_8));
                int n = rnd.nextInt(8);
                for (int i = 0; i < n; i++) {
                    int kind = rnd.nextInt(6);
                    if (kind == 0) {
                        out.write(rnd.nextInt(256)); // any byte at all
                    } else if (kind == 1) {
                        out.writeBytes("\\ud800".getBytes(StandardCharsets.UTF_8)); // lone surrogate, ignored field
                    } else if (kind == 2) {
                        out.writeBytes("é€😀".getBytes(StandardCharsets.UTF_8));
                    } else {
                        out.write('a' + rnd.nextInt(26));
                    }
                }
                out.writeBytes("\",".getBytes(StandardCharsets.UTF_8));
            }
            if (rnd.nextInt(4) == 0) {
                int depth = rnd.nextInt(1200);
                out.writeBytes(("\"deep\":" + "[".repeat(depth) + "]".repeat(depth) + ",").getBytes(StandardCharsets.UTF_8));
            }
            String sep = rnd.nextInt(5) == 0 ? SPACES[rnd.nextInt(SPACES.length)] : "";
            out.writeBytes(("\"name\":" + sep + "\"add_revenue\",\"value\":" + value + "}").getBytes(StandardCharsets.UTF_8));
            if (array) {
                out.write(']');
            }
            String end = rnd.nextInt(3) == 0 ? "\r\n" : rnd.nextBoolean() ? "\n" : "";
            out.writeBytes(end.getBytes(StandardCharsets.UTF_8));
            return out.toByteArray();
        }
    }
}
