package etl.event;

import java.math.BigDecimal;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The contract's rules for one event, in one place: used by the HTTP ingest and by the inbox client, so that what
 * the client quarantines and what the server refuses are the same.
 */
public final class EventValidator {

    /** Numbers are read as BigDecimal, so that 0.1 stays 0.1; duplicate keys are refused. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    public static final int MAX_USER_ID_LENGTH = 255;
    /** users_revenue.revenue is NUMERIC(20,2): 18 digits before the point. */
    private static final BigDecimal MAX_VALUE = new BigDecimal("1000000000000000000");

    private EventValidator() {
    }

    /** The result of checking one event: exactly one of {@code event} and {@code reason} is set. */
    public record Result(Event event, String reason) {
        public boolean valid() {
            return event != null;
        }
    }

    /** Parses and checks one JSON text (a line of a JSONL file). */
    public static Result validateJson(String json) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (Exception e) {
            return new Result(null, "not valid JSON: " + brief(e));
        }
        if (node == null || node.isMissingNode()) {
            return new Result(null, "not valid JSON: empty");
        }
        return validate(node);
    }

    /** Checks one parsed JSON value against the contract. */
    public static Result validate(JsonNode node) {
        if (!node.isObject()) {
            return new Result(null, "an event must be a JSON object");
        }
        JsonNode userNode = node.get("userId");
        String userId;
        if (userNode == null || userNode.isNull()) {
            return new Result(null, "userId is missing");
        } else if (userNode.isTextual()) {
            userId = userNode.textValue();
        } else if (userNode.isIntegralNumber()) {
            userId = userNode.bigIntegerValue().toString();
        } else {
            return new Result(null, "userId must be a string or an integer");
        }
        if (userId.isEmpty()) {
            return new Result(null, "userId is empty");
        }
        if (userId.codePointCount(0, userId.length()) > MAX_USER_ID_LENGTH) {
            return new Result(null, "userId is longer than " + MAX_USER_ID_LENGTH + " characters");
        }
        if (userId.indexOf('\u0000') >= 0) {
            return new Result(null, "userId contains a NUL character");
        }

        JsonNode nameNode = node.get("name");
        if (nameNode == null || nameNode.isNull()) {
            return new Result(null, "name is missing");
        }
        if (!nameNode.isTextual()) {
            return new Result(null, "name must be a string");
        }
        String name = nameNode.textValue();
        if (!Event.ADD.equals(name) && !Event.SUBTRACT.equals(name)) {
            return new Result(null, "name must be add_revenue or subtract_revenue, not " + quote(name));
        }

        JsonNode valueNode = node.get("value");
        if (valueNode == null || valueNode.isNull()) {
            return new Result(null, "value is missing");
        }
        if (!valueNode.isNumber()) {
            return new Result(null, "value must be a JSON number, not " + valueNode.getNodeType().name().toLowerCase());
        }
        BigDecimal value = valueNode.decimalValue();
        if (value.signum() < 0) {
            return new Result(null, "value must be zero or more");
        }
        if (value.stripTrailingZeros().scale() > 2) {
            return new Result(null, "value has more than 2 decimal places");
        }
        if (value.compareTo(MAX_VALUE) >= 0) {
            return new Result(null, "value is too large (at most 999999999999999999.99)");
        }
        return new Result(new Event(userId, name, value.setScale(2)), null);
    }

    public static String brief(Exception e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }

    private static String quote(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return "\"" + cut + "\"";
    }
}
