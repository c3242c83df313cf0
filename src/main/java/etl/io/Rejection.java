package etl.io;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;

import etl.event.EventValidator;

/**
 * One quarantine entry, as both the inbox client and the processor write them: {@code {"line", "reason", "raw"}}, or
 * {@code "rawBase64"} instead of {@code raw} when the line's bytes are not UTF-8 (as text they would be changed, and
 * two different lines could look the same).
 */
public final class Rejection {

    private Rejection() {
    }

    public static String json(long line, String reason, byte[] raw) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("line", line);
        m.put("reason", reason);
        try {
            m.put("raw", Utf8.decode(raw, 0, raw.length));
        } catch (Utf8.InvalidException e) {
            m.put("rawBase64", java.util.Base64.getEncoder().encodeToString(raw));
        }
        try {
            return EventValidator.MAPPER.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
