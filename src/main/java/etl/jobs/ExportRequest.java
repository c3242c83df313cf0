package etl.jobs;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import etl.event.EventValidator;
import etl.io.Utf8;

/**
 * What {@code POST /exports} asks for: {@code {"format": "csv" | "jsonl", "userIdPrefix"?, "minRevenue"?,
 * "maxRevenue"?}}. Read strictly, as the events are: the body must be UTF-8 (a BOM before it is skipped), one JSON
 * object and nothing after it; an unknown field is refused by name (a misspelt filter must not export everything);
 * amounts have at most 2 decimals and fit {@code NUMERIC(20,2)}; the prefix is text PostgreSQL can hold (no NUL, no
 * lone surrogate). Every refusal names its field.
 */
public record ExportRequest(String format, String userIdPrefix, BigDecimal minRevenue, BigDecimal maxRevenue) {

    public static final int MAX_BODY_BYTES = 64 * 1024;
    private static final BigDecimal LIMIT = new BigDecimal("1000000000000000000"); // 10^18: NUMERIC(20,2)

    public static ExportRequest parse(byte[] body) throws FieldError {
        if (body.length > MAX_BODY_BYTES) {
            throw new FieldError(null, "the export request is larger than " + MAX_BODY_BYTES + " bytes");
        }
        int from = Utf8.hasBom(body, 0, body.length) ? 3 : 0;
        String json;
        try {
            json = Utf8.decode(body, from, body.length);
        } catch (Utf8.InvalidException e) {
            throw new FieldError(null, "the export request is not valid UTF-8: " + e.getMessage());
        }
        String format = null;
        String prefix = null;
        BigDecimal min = null;
        BigDecimal max = null;
        try (JsonParser p = EventValidator.MAPPER.createParser(json)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new FieldError(null, "the export request must be a JSON object, e.g. {\"format\": \"csv\"}");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "format" -> format = format(p, value);
                    case "userIdPrefix" -> prefix = prefix(p, value);
                    case "minRevenue" -> min = amount(p, value, field);
                    case "maxRevenue" -> max = amount(p, value, field);
                    default -> throw new FieldError(field, "unknown field \"" + field
                            + "\": an export takes format, userIdPrefix, minRevenue, maxRevenue");
                }
            }
            if (p.nextToken() != null) {
                throw new FieldError(null, "text after the JSON object");
            }
        } catch (StreamConstraintsException e) {
            throw new FieldError(null, "the export request is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new FieldError(null, "the export request is not valid JSON: " + EventValidator.brief(e));
        }
        if (format == null) {
            throw new FieldError("format", "format is required: \"csv\" or \"jsonl\"");
        }
        if (min != null && max != null && min.compareTo(max) > 0) {
            throw new FieldError("minRevenue", "minRevenue is larger than maxRevenue");
        }
        return new ExportRequest(format, prefix, min, max);
    }

    private static String format(JsonParser p, JsonToken value) throws IOException, FieldError {
        String f = value == JsonToken.VALUE_STRING ? p.getText() : null;
        if (!"csv".equals(f) && !"jsonl".equals(f)) {
            throw new FieldError("format", "format must be \"csv\" or \"jsonl\"");
        }
        return f;
    }

    private static String prefix(JsonParser p, JsonToken value) throws IOException, FieldError {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw new FieldError("userIdPrefix", "userIdPrefix must be a string");
        }
        String s = p.getText();
        if (s.length() > EventValidator.MAX_USER_ID_LENGTH) {
            throw new FieldError("userIdPrefix", "userIdPrefix is longer than a user id (255 characters)");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw new FieldError("userIdPrefix", "userIdPrefix holds a NUL character");
            }
            if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(++i)))) {
                throw new FieldError("userIdPrefix", "userIdPrefix holds an unpaired surrogate");
            }
        }
        return s.isEmpty() ? null : s;
    }

    private static BigDecimal amount(JsonParser p, JsonToken value, String field) throws IOException, FieldError {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new FieldError(field, field + " must be a JSON number");
        }
        BigDecimal v = p.getDecimalValue();
        if (v.stripTrailingZeros().scale() > 2) {
            throw new FieldError(field, field + " has more than 2 decimal places");
        }
        if (v.abs().compareTo(LIMIT) >= 0) {
            throw new FieldError(field, field + " is out of the range of a total (NUMERIC(20,2))");
        }
        return v.setScale(2);
    }

    /** The request's form as a job's row keeps it (a {@link JobSteps.RequestReader}). */
    public static Map<String, Object> read(byte[] body) throws FieldError {
        return parse(body).toMap();
    }

    /** The request as stored in the job's row (and shown back by {@code GET /exports/{id}}). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", format);
        m.put("userIdPrefix", userIdPrefix);
        m.put("minRevenue", minRevenue);
        m.put("maxRevenue", maxRevenue);
        return m;
    }

    public static ExportRequest fromMap(Map<String, Object> m) {
        return new ExportRequest((String) m.get("format"), (String) m.get("userIdPrefix"), decimal(m.get("minRevenue")),
                decimal(m.get("maxRevenue")));
    }

    private static BigDecimal decimal(Object o) {
        return o == null ? null : new BigDecimal(o.toString());
    }

    public String extension() {
        return format;
    }

    public String contentType() {
        return "csv".equals(format) ? "text/csv; charset=utf-8" : "application/x-ndjson";
    }
}
