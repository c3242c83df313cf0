package etl.http;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import etl.event.Invalid;

/**
 * The JSON bodies of the HTTP answers. The small fixed answers (an error, a field error, an acceptance, a total) are
 * written with jackson-core's generator; the general {@link #write} uses an ObjectMapper, made when first needed.
 * jackson-databind's ObjectMapper loads about 350 classes (170 ms of a cold start, on the main thread while the routes
 * were built, from {@code -Xlog:class+load}), none of which the first answers need, and a map serialized through it
 * cost every single-event request a serializer lookup.
 */
public final class Json {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    /** The ObjectMapper, made on first use (the holder idiom). */
    private static final class Mapper {
        static final ObjectMapper MAPPER = JsonMapper.builder()
                .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
                .build();
    }

    private Json() {
    }

    /** What a generator writes into one String. */
    @FunctionalInterface
    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static String object(Body body) {
        StringWriter out = new StringWriter(64);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    public static String error(String message) {
        return object(g -> g.writeStringField("error", message));
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
        return object(g -> {
            g.writeNumberField("accepted", count);
            if (duplicate) {
                g.writeBooleanField("duplicate", true);
            }
        });
    }

    /** An answer {@code {"error": message, "field": field}}: a request refused for one of its fields. */
    public static String fieldError(String field, String message) {
        return object(g -> {
            g.writeStringField("error", message);
            g.writeStringField("field", field);
        });
    }

    /** A total as an exact JSON number with no trailing zeros: 50.00 is 50, 0.30 is 0.3. */
    public static String revenue(String userId, BigDecimal revenue) {
        return object(g -> {
            g.writeStringField("userId", userId);
            g.writeNumberField("revenue", plain(revenue));
        });
    }

    /** An amount with no trailing zeros and no exponent: 50.00 is 50, 0.30 is 0.3. */
    public static BigDecimal plain(BigDecimal amount) {
        BigDecimal plain = amount.signum() == 0 ? BigDecimal.ZERO : amount.stripTrailingZeros();
        return plain.scale() < 0 ? plain.setScale(0) : plain;
    }

    /** Any map or list of plain values as JSON (amounts written plain, never in exponent form). */
    public static String write(Object o) {
        try {
            return Mapper.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
