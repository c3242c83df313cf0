package etl.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class JsonTest {

    @Test
    void revenueIsAPlainExactNumber() {
        assertEquals("{\"userId\":\"u\",\"revenue\":50}", Json.revenue("u", new BigDecimal("50.00")));
        assertEquals("{\"userId\":\"u\",\"revenue\":0.3}", Json.revenue("u", new BigDecimal("0.30")));
        assertEquals("{\"userId\":\"u\",\"revenue\":100}", Json.revenue("u", new BigDecimal("100.00")));
        assertEquals("{\"userId\":\"u\",\"revenue\":-0.05}", Json.revenue("u", new BigDecimal("-0.05")));
        assertEquals("{\"userId\":\"u\",\"revenue\":0}", Json.revenue("u", new BigDecimal("0.00")));
    }

    /** The generator-written answers are what the ObjectMapper wrote for the same maps, hostile text included. */
    @Test
    void theSmallAnswersAreWhatTheMapperWrote() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        String[] texts = {"plain", "quote \" backslash \\ slash /", "new\nline\ttab\r", "nul \u0000 bell \u0007",
            "\u2028\u2029", "caf\u00e9 \ud83d\ude00", "lone \ud800 surrogate", "\ufeffbom", "x".repeat(10_000)};
        for (String t : texts) {
            assertEquals(mapper.writeValueAsString(Map.of("error", t)), Json.error(t));
            Map<String, Object> field = new LinkedHashMap<>();
            field.put("error", t);
            field.put("field", t);
            assertEquals(mapper.writeValueAsString(field), Json.fieldError(t, t));
            mapper.readTree(Json.error(t)); // and it parses back
        }
        assertEquals("{\"accepted\":1}", Json.accepted(1, false));
        assertEquals("{\"accepted\":5000,\"duplicate\":true}", Json.accepted(5000, true));
        assertEquals("{\"userId\":\"\\u0000\\\"\",\"revenue\":1E+3}".replace("1E+3", "1000"),
                Json.revenue("\u0000\"", new BigDecimal("1E+3")));
    }
}
