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

    /** A total as an exact JSON number with no trailing zeros: 50.00 is 50, 0.30 is 0.3. */
    public static String revenue(String userId, BigDecimal revenue) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("userId", userId);
        BigDecimal plain = revenue.signum() == 0 ? BigDecimal.ZERO : revenue.stripTrailingZeros();
        m.put("revenue", plain.scale() < 0 ? plain.setScale(0) : plain);
        return write(m);
    }

    private static String write(Object o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
