package etl.http;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import etl.event.Invalid;

/** The JSON bodies of the HTTP answers. */
public final class Json {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private Json() {
    }

    public static String error(String message) {
        return write(Map.of("error", message));
    }

    public static String invalid(List<Invalid> invalid, int invalidCount) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", invalidCount == 1 ? "1 invalid event; nothing was kept"
                : invalidCount + " invalid events; nothing was kept");
        m.put("invalidCount", invalidCount);
        m.put("invalid", invalid);
        return write(m);
    }

    public static String accepted(int count, boolean duplicate) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accepted", count);
        if (duplicate) {
            m.put("duplicate", true);
        }
        return write(m);
    }

    /** An answer {@code {"error": message, "field": field}}: a request refused for one of its fields. */
    public static String fieldError(String field, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        m.put("field", field);
        return write(m);
    }

    /** A total as an exact JSON number with no trailing zeros: 50.00 is 50, 0.30 is 0.3. */
    public static String revenue(String userId, BigDecimal revenue) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("userId", userId);
        m.put("revenue", plain(revenue));
        return write(m);
    }

    /** An amount with no trailing zeros and no exponent: 50.00 is 50, 0.30 is 0.3. */
    public static BigDecimal plain(BigDecimal amount) {
        BigDecimal plain = amount.signum() == 0 ? BigDecimal.ZERO : amount.stripTrailingZeros();
        return plain.scale() < 0 ? plain.setScale(0) : plain;
    }

    /** Any map or list of plain values as JSON (amounts written plain, never in exponent form). */
    public static String write(Object o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
