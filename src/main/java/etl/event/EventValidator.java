package etl.event;

import java.math.BigDecimal;

import java.io.IOException;

import etl.io.Utf8;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The contract's rules for one event, in one place: used by the HTTP ingest and by the inbox client, so that what
 * the client quarantines and what the server refuses are the same.
 */
public final class EventValidator {

    /**
     * Numbers are read as BigDecimal, so that 0.1 stays 0.1. Duplicate keys of an event are refused by
     * {@link #validate} itself: Jackson's STRICT_DUPLICATE_DETECTION allocates a set for every object of three fields
     * or more, that is for every event, parsed three times on its way (a third of the allocations of
     * bench/processor.sh, by JFR and a heap histogram).
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
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

    /**
     * JSON Lines, as both the server and the inbox client read them: a line is blank, and skipped, when it holds only
     * JSON's own white space (space, tab, carriage return). Anything else, {@code \u000b}, U+2028 or U+3000 included,
     * is a line to read, and an invalid one.
     */
    public static boolean blank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c != ' ' && c != '\t' && c != '\r') {
                return false;
            }
        }
        return true;
    }

    /** Checks one line of JSON Lines given as bytes {@code b[from, to)}: strict UTF-8 first, then the event. */
    public static Result validateLine(byte[] b, int from, int to) {
        // the common form, taken apart without Jackson; anything else is validated below
        Event common = CanonicalEvents.line(b, from, to);
        if (common != null) {
            return new Result(common, null);
        }
        return validateOther(b, from, to);
    }

    /**
     * {@link #validateLine} for a line its caller found not to be in the common form already
     * ({@link CanonicalEvents#whole()}): the general validator, without taking the line apart a second time.
     */
    public static Result validateOther(byte[] b, int from, int to) {
        String text;
        try {
            text = Utf8.decode(b, from, to);
        } catch (Utf8.InvalidException e) {
            return new Result(null, "the line is " + e.getMessage());
        }
        return validateJson(text);
    }

    /** Parses and checks one JSON text (a line of a JSONL file). */
    public static Result validateJson(String json) {
        try (JsonParser p = MAPPER.getFactory().createParser(json)) {
            if (p.nextToken() == null) {
                return new Result(null, "not valid JSON: empty");
            }
            Result r = validate(p);
            if (p.nextToken() != null) {
                return new Result(null, "not valid JSON: text after the JSON value");
            }
            return r;
        } catch (IOException e) {
            return new Result(null, "not valid JSON: " + brief(e));
        }
    }

    /**
     * Checks the JSON value at the parser's current token against the contract, reading it whole (a streaming read:
     * no tree is built, other fields are skipped).
     */
    public static Result validate(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return new Result(null, "an event must be a JSON object");
        }
        JsonToken userToken = null;
        String userText = null;
        JsonToken nameToken = null;
        String name = null;
        JsonToken valueToken = null;
        BigDecimal value = null;
        java.util.Set<String> others = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            boolean repeated = switch (field) {
                case "userId" -> userToken != null;
                case "name" -> nameToken != null;
                case "value" -> valueToken != null;
                default -> {
                    if (others == null) {
                        others = new java.util.HashSet<>(4);
                    }
                    yield !others.add(field);
                }
            };
            if (repeated) {
                // a duplicate key is not valid JSON for an event (which of the two would count?)
                throw new com.fasterxml.jackson.core.JsonParseException(p, "Duplicate field '" + field + "'");
            }
            JsonToken t = p.nextToken();
            switch (field) {
                case "userId" -> {
                    userToken = t;
                    userText = t == JsonToken.VALUE_STRING ? p.getText()
                            : t == JsonToken.VALUE_NUMBER_INT ? p.getBigIntegerValue().toString() : null;
                }
                case "name" -> {
                    nameToken = t;
                    name = t == JsonToken.VALUE_STRING ? p.getText() : null;
                }
                case "value" -> {
                    valueToken = t;
                    value = t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT
                            ? p.getDecimalValue() : null;
                }
                default -> {
                }
            }
            p.skipChildren();
        }
        return check(userToken, userText, nameToken, name, valueToken, value);
    }

    private static Result check(JsonToken userToken, String userId, JsonToken nameToken, String name,
            JsonToken valueToken, BigDecimal value) {
        if (userToken == null || userToken == JsonToken.VALUE_NULL) {
            return new Result(null, "userId is missing");
        }
        if (userId == null) {
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
        int lone = unpairedSurrogate(userId);
        if (lone >= 0) {
            // not a character: PostgreSQL's driver would turn every such id into the same "?"
            return new Result(null, String.format("userId contains an unpaired surrogate (\\u%04x)", (int) userId.charAt(lone)));
        }
        if (nameToken == null || nameToken == JsonToken.VALUE_NULL) {
            return new Result(null, "name is missing");
        }
        if (name == null) {
            return new Result(null, "name must be a string");
        }
        if (!Event.ADD.equals(name) && !Event.SUBTRACT.equals(name)) {
            return new Result(null, "name must be add_revenue or subtract_revenue, not " + quote(name));
        }
        if (valueToken == null || valueToken == JsonToken.VALUE_NULL) {
            return new Result(null, "value is missing");
        }
        if (value == null) {
            return new Result(null, "value must be a JSON number, not " + typeName(valueToken));
        }
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

    /** The index of the first UTF-16 surrogate without its pair (from a {@code \\ud800} escape), or -1. */
    static int unpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    private static String typeName(JsonToken t) {
        return switch (t) {
            case VALUE_STRING -> "string";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case START_OBJECT -> "object";
            case START_ARRAY -> "array";
            default -> t.name().toLowerCase();
        };
    }

    /**
     * The parser's message in the user's words: its first line, without the names of Jackson's switches it suggests
     * ("enable `JsonReadFeature.ALLOW_…` to allow", "from `StreamReadConstraints…`"), which mean nothing to a client.
     */
    public static String brief(Exception e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        m = nl > 0 ? m.substring(0, nl) : m;
        int tick = m.indexOf('`');
        if (tick >= 0) {
            m = m.substring(0, tick).replaceAll("[\\s:;,(]*(enable|from|set|use)?\\s*$", "");
            long open = m.chars().filter(c -> c == '(').count() - m.chars().filter(c -> c == ')').count();
            m = m + ")".repeat((int) Math.max(0, open));
        }
        return m.trim();
    }

    private static String quote(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return "\"" + cut + "\"";
    }
}
