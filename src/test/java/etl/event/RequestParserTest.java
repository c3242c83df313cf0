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
}
