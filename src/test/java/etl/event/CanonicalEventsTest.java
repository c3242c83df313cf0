package etl.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The fast parser of the common form never disagrees with the validator: on every line it takes, the validator finds
 * the same event; everything else it leaves to the validator. Lines from a seeded generator of variations and garbage
 * ({@code -Dcanonical.seed=N} replays one).
 */
class CanonicalEventsTest {

    private static final String[] USERS = {"\"user1\"", "\"u\"", "\"\"", "\"ü\"", "\"a\\\"b\"", "\"\\u0041\"",
        "\"" + "x".repeat(255) + "\"", "\"" + "x".repeat(256) + "\"", "42", "null", "\"tab\tin\"", "\"a b\"",
        "\"\\ud800\"", "\"\u0000\"", "\"\u007f\"", "\"😀\"", "\"sp ace \""};
    private static final String[] NAMES = {"\"add_revenue\"", "\"subtract_revenue\"", "\"Add_revenue\"", "\"x\"",
        "\"add_revenue \"", "1", "\"add\\u005frevenue\""};
    private static final String[] VALUES = {"100", "0", "00", "01", "1.5", "1.50", "1.500", "1.005", "-1", "1e2",
        "1E2", "999999999999999999", "1000000000000000000", "9999999999999999.99", "99999999999999999.99", "\"5\"",
        "null", ".5", "5.", "0.01", "0.1", "12.34", "1.2.3", "1,5", "true", "[1]", "-0"};
    private static final String[] SPACES = {"", "", "", " ", "  ", "\t", "\n", "\r"};

    private static String sp(Random r) {
        return SPACES[r.nextInt(SPACES.length)];
    }

    private static final String[] GOOD_USERS = {"\"user1\"", "\"u\"", "\"a b\"", "\"" + "x".repeat(255) + "\""};
    private static final String[] GOOD_VALUES = {"100", "0", "1.5", "1.50", "0.01", "12.34", "9999999999999999.99"};

    private static String line(Random r) {
        if (r.nextBoolean()) {
            // the common form, with or without spaces: what most clients send
            String s = r.nextBoolean() ? "" : " ";
            return "{" + s + "\"userId\":" + s + GOOD_USERS[r.nextInt(GOOD_USERS.length)] + "," + s + "\"name\":" + s
                    + NAMES[r.nextInt(2)] + "," + s + "\"value\":" + s + GOOD_VALUES[r.nextInt(GOOD_VALUES.length)] + s
                    + "}";
        }
        List<String> fields = new ArrayList<>(List.of(
                "\"userId\"" + sp(r) + ":" + sp(r) + USERS[r.nextInt(USERS.length)],
                "\"name\"" + sp(r) + ":" + sp(r) + NAMES[r.nextInt(NAMES.length)],
                "\"value\"" + sp(r) + ":" + sp(r) + VALUES[r.nextInt(VALUES.length)]));
        switch (r.nextInt(8)) {
            case 0 -> Collections.shuffle(fields, r);
            case 1 -> fields.add("\"extra\":{\"userId\":\"no\"}");
            case 2 -> fields.add("\"userId\":\"again\"");
            case 3 -> fields.remove(r.nextInt(fields.size()));
            default -> { }
        }
        String s = sp(r) + "{" + sp(r) + String.join(sp(r) + "," + sp(r), fields) + sp(r) + "}" + sp(r);
        return switch (r.nextInt(12)) {
            case 0 -> s.substring(0, r.nextInt(s.length() + 1));
            case 1 -> s + "x";
            case 2 -> s + s;
            default -> s;
        };
    }

    @Test
    void itNeverDisagreesWithTheValidator() {
        long seed = Long.getLong("canonical.seed", System.nanoTime());
        Random r = new Random(seed);
        int taken = 0;
        for (int i = 0; i < 20_000; i++) {
            String text = line(r);
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            Event fast = CanonicalEvents.line(b, 0, b.length);
            EventValidator.Result slow = EventValidator.validateJson(text);
            if (fast != null) {
                taken++;
                assertTrue(slow.valid(), "seed " + seed + ": the fast parser took what the validator refuses ("
                        + slow.reason() + "): " + text);
                assertEquals(slow.event(), fast, "seed " + seed + ": " + text);
            }
            EventValidator.Result line = EventValidator.validateLine(b, 0, b.length);
            assertEquals(slow, line, "seed " + seed + ": validateLine and the validator differ on " + text);
        }
        assertTrue(taken > 5000, "seed " + seed + ": the common form was taken only " + taken + " times");
    }

    @Test
    void theCommonFormsAndWhatIsLeftToTheValidator() {
        byte[] plain = "{\"userId\":\"user1\",\"name\":\"add_revenue\",\"value\":100}".getBytes(StandardCharsets.UTF_8);
        assertEquals(new Event("user1", Event.ADD, new BigDecimal("100.00")), CanonicalEvents.line(plain, 0, plain.length));
        byte[] spaced = "{\"userId\": \"user1\", \"name\": \"subtract_revenue\", \"value\": 50.5}"
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(new Event("user1", Event.SUBTRACT, new BigDecimal("50.50")),
                CanonicalEvents.line(spaced, 0, spaced.length));
        for (String other : new String[] {"{\"userId\":\"ü\",\"name\":\"add_revenue\",\"value\":1}",
            "{\"name\":\"add_revenue\",\"userId\":\"u\",\"value\":1}", "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1e2}",
            "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1}\r", "\uFEFF{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1}"}) {
            byte[] b = other.getBytes(StandardCharsets.UTF_8);
            assertNull(CanonicalEvents.line(b, 0, b.length), other);
        }
    }
}
