package etl.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class RequestParserTest {

    private static final String E = "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1}";

    private static RequestParser.Parsed parse(String body, String contentType) {
        return RequestParser.parse(body.getBytes(StandardCharsets.UTF_8), contentType);
    }

    @Test
    void objectArrayAndLines() {
        assertEquals(1, parse(E, "application/json").events().size());
        assertEquals(2, parse("[" + E + "," + E + "]", null).events().size());
        assertEquals(3, parse(E + "\n\n" + E + "\r\n" + E, "application/x-ndjson; charset=utf-8").events().size());
        assertEquals(1, parse(E + "\n", "application/jsonl").events().size());
        assertEquals(0, parse("[]", "application/json").events().size());
    }

    @Test
    void linesIndexCountsBlankLines() {
        RequestParser.Parsed p = parse(E + "\n\n   \nnope\n" + E, "application/x-ndjson");
        assertFalse(p.ok());
        assertEquals(3, p.invalid().get(0).index());
        assertTrue(p.events().isEmpty(), "all or nothing");
    }

    @Test
    void trailingTextOrTwoValuesWithoutJsonLinesTypeIsOneInvalidEntry() {
        for (String body : new String[] {E + " x", E + "\n" + E, "", "nope", "{\"a\":"}) {
            RequestParser.Parsed p = parse(body, "application/json");
            assertEquals(1, p.invalidCount(), body);
            assertEquals(0, p.invalid().get(0).index(), body);
        }
    }

    @Test
    void atMostOneHundredListedButAllCounted() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 150; i++) {
            sb.append(i > 0 ? "," : "").append("{}");
        }
        RequestParser.Parsed p = parse(sb.append("]").toString(), null);
        assertEquals(100, p.invalid().size());
        assertEquals(150, p.invalidCount());
        assertEquals(99, p.invalid().get(99).index());
    }

    @Test
    void linesInTheCommonFormAreKeptAsPlacesAndOthersAsEventsInTheirOrder() {
        String other = "{\"value\":2,\"name\":\"subtract_revenue\",\"userId\":\"é\"}"; // another order, not ASCII
        RequestParser.Parsed common = parse("\ufeff" + E + "\n \n" + E + "  \n", "application/x-ndjson");
        assertTrue(common.ok());
        assertTrue(common.events() instanceof CompactEvents, common.events().getClass().getName());
        assertEquals(java.util.Collections.nCopies(2, new Event("u", Event.ADD, new java.math.BigDecimal("1.00"))),
                common.events());
        RequestParser.Parsed mixed = parse(E + "\n" + other + "\n" + E, "application/x-ndjson");
        assertTrue(mixed.ok());
        assertEquals(java.util.List.of(new Event("u", Event.ADD, new java.math.BigDecimal("1.00")),
                new Event("é", Event.SUBTRACT, new java.math.BigDecimal("2.00")),
                new Event("u", Event.ADD, new java.math.BigDecimal("1.00"))), mixed.events());
        assertTrue(parse(E, "application/json").events() instanceof CompactEvents);
    }

    @Test
    void garbageNextToCommonLinesIsInvalidAndNothingIsKept() {
        String[] garbage = {
            "{\"userId\":\"u\u0000x\",\"name\":\"add_revenue\",\"value\":1}", // a raw NUL in the id
            "\ufeff" + E, // a byte order mark on a later line
            "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1.005}",
            "[".repeat(10_000),
            "{\"userId\":\"" + "u".repeat(256) + "\",\"name\":\"add_revenue\",\"value\":1}",
            "{\"userId\":\"" + "x".repeat(2 << 20) + "\",\"name\":\"add_revenue\",\"value\":1}", // a 2 MiB line
        };
        for (String g : garbage) {
            RequestParser.Parsed p = parse(E + "\n" + g + "\n" + E, "application/x-ndjson");
            assertFalse(p.ok(), g.length() > 80 ? g.substring(0, 80) : g);
            assertEquals(1, p.invalid().get(0).index());
            assertTrue(p.events().isEmpty(), "all or nothing");
        }
        // a lone surrogate, encoded as if it were a character (ED A0 80): not UTF-8
        byte[] surrogate = concat(E + "\n{\"userId\":\"", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                "\",\"name\":\"add_revenue\",\"value\":1}\n" + E);
        RequestParser.Parsed s = RequestParser.parse(surrogate, "application/x-ndjson");
        assertFalse(s.ok());
        assertEquals(1, s.invalid().get(0).index());
        assertTrue(s.events().isEmpty());
        byte[] latin1 = (E + "\n{\"userId\":\"caf\u00e9\",\"name\":\"add_revenue\",\"value\":1}")
                .getBytes(StandardCharsets.ISO_8859_1); // é as one byte: not UTF-8
        RequestParser.Parsed p = RequestParser.parse(latin1, "application/x-ndjson");
        assertFalse(p.ok());
        assertTrue(p.invalid().get(0).reason().contains("UTF-8"), p.invalid().get(0).reason());
    }

    private static byte[] concat(String a, byte[] b, String c) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(a.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(b);
        out.writeBytes(c.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
