package etl.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ExportRequestTest {

    private static ExportRequest parse(String json) throws FieldError {
        return ExportRequest.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String refused(byte[] body) {
        return assertThrows(FieldError.class, () -> ExportRequest.parse(body)).field();
    }

    private static String refused(String json) {
        return refused(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aFullRequestIsReadAndStoredBack() throws Exception {
        ExportRequest r = parse("{\"format\":\"jsonl\",\"userIdPrefix\":\"u😀\",\"minRevenue\":-5,\"maxRevenue\":1e2}");
        assertEquals("jsonl", r.format());
        assertEquals("u😀", r.userIdPrefix());
        assertEquals(new BigDecimal("-5.00"), r.minRevenue());
        assertEquals(new BigDecimal("100.00"), r.maxRevenue());
        assertEquals(r, ExportRequest.fromMap(r.toMap()));
        assertEquals("application/x-ndjson", r.contentType());
    }

    @Test
    void emptyAndNullFiltersAreNoFilters() throws Exception {
        ExportRequest r = parse("\uFEFF{\"format\":\"csv\",\"userIdPrefix\":\"\",\"minRevenue\":null}");
        assertNull(r.userIdPrefix());
        assertNull(r.minRevenue());
        assertEquals("text/csv; charset=utf-8", r.contentType());
    }

    @Test
    void eachRefusalNamesItsField() {
        assertEquals("format", refused("{}"));
        assertEquals("format", refused("{\"format\":\"CSV\"}"));
        assertEquals("format", refused("{\"format\":null}"));
        assertEquals("userIdPrefix", refused("{\"format\":\"csv\",\"userIdPrefix\":5}"));
        assertEquals("userIdPrefix", refused("{\"format\":\"csv\",\"userIdPrefix\":\"\\u0000\"}"));
        assertEquals("userIdPrefix", refused("{\"format\":\"csv\",\"userIdPrefix\":\"\\udc00\"}"));
        assertEquals("userIdPrefix", refused("{\"format\":\"csv\",\"userIdPrefix\":\"a\\ud800\"}"));
        assertEquals("minRevenue", refused("{\"format\":\"csv\",\"minRevenue\":0.001}"));
        assertEquals("maxRevenue", refused("{\"format\":\"csv\",\"maxRevenue\":-1000000000000000000}"));
        assertEquals("maxRevenue", refused("{\"format\":\"csv\",\"maxRevenue\":true}"));
        assertEquals("minRevenue", refused("{\"format\":\"csv\",\"minRevenue\":2,\"maxRevenue\":1}"));
        assertEquals("limit", refused("{\"format\":\"csv\",\"limit\":1}"));
    }

    @Test
    void garbageIsRefusedAsABody() {
        assertNull(refused(new byte[0]));
        assertNull(refused("[]"));
        assertNull(refused("\"csv\""));
        assertNull(refused("{\"format\":\"csv\"}x"));
        assertNull(refused("{\"format\":\"csv\""));
        assertNull(refused("{\"format\":\"csv\",\"format\":\"csv\"}"));
        assertNull(refused(new byte[] {'{', '"', (byte) 0xFF, '"', ':', '1', '}'}));
        assertNull(refused(new byte[] {'{', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', ':', '1', '}'}));
        assertNull(refused(new byte[] {0, 0, 0, '{'}));
        assertNull(refused("{\"format\":\"csv\"}".getBytes(StandardCharsets.UTF_16LE)));
        assertNull(refused("{".repeat(3000)));
        assertNull(refused(("{\"format\":\"csv\",\"userIdPrefix\":\"" + "x".repeat(70_000) + "\"}")));
    }
}
