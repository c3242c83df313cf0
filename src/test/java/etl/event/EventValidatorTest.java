package etl.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class EventValidatorTest {

    @Test
    void validEventIsExact() {
        EventValidator.Result r = EventValidator.validateJson("{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":0.1}");
        assertTrue(r.valid());
        assertEquals(new BigDecimal("0.10"), r.event().value());
    }

    @Test
    void integerUserIdIsItsDecimalString() {
        EventValidator.Result r = EventValidator.validateJson(
                "{\"userId\":12345678901234567890,\"name\":\"subtract_revenue\",\"value\":5}");
        assertEquals("12345678901234567890", r.event().userId());
        assertEquals(new BigDecimal("-5.00"), r.event().signedValue());
    }

    @Test
    void otherFieldsAreIgnoredAndTrailingZerosAllowed() {
        assertTrue(EventValidator.validateJson(
                "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1.500,\"extra\":[1,2]}").valid());
        assertTrue(EventValidator.validateJson("{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":0}").valid());
        assertTrue(EventValidator.validateJson("{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1e2}").valid());
    }

    @Test
    void userIdOf255CharactersCountsCodePoints() {
        String emoji = "\uD83D\uDE00".repeat(255);
        assertTrue(EventValidator.validateJson("{\"userId\":\"" + emoji + "\",\"name\":\"add_revenue\",\"value\":1}").valid());
        assertFalse(EventValidator.validateJson("{\"userId\":\"" + emoji + "x\",\"name\":\"add_revenue\",\"value\":1}").valid());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{oops                                                     | not valid JSON",
        "[]                                                        | must be a JSON object",
        "{\"name\":\"add_revenue\",\"value\":1}                    | userId is missing",
        "{\"userId\":null,\"name\":\"add_revenue\",\"value\":1}    | userId is missing",
        "{\"userId\":\"\",\"name\":\"add_revenue\",\"value\":1}    | userId is empty",
        "{\"userId\":1.5,\"name\":\"add_revenue\",\"value\":1}     | userId must be a string or an integer",
        "{\"userId\":\"u\",\"value\":1}                            | name is missing",
        "{\"userId\":\"u\",\"name\":7,\"value\":1}                 | name must be a string",
        "{\"userId\":\"u\",\"name\":\"Add_revenue\",\"value\":1}   | name must be add_revenue or subtract_revenue",
        "{\"userId\":\"u\",\"name\":\"add_revenue\"}               | value is missing",
        "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":\"5\"} | value must be a JSON number",
        "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":true} | value must be a JSON number",
        "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":-0.01} | value must be zero or more",
        "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1.001} | more than 2 decimal places",
        "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1e18} | too large",
        "{\"userId\":\"u\",\"userId\":\"v\",\"name\":\"add_revenue\",\"value\":1} | not valid JSON",
        "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1} x  | not valid JSON",
    })
    void invalidEventsSayWhy(String json, String reason) {
        EventValidator.Result r = EventValidator.validateJson(json.trim());
        assertFalse(r.valid(), json);
        assertTrue(r.reason().contains(reason.trim()), r.reason());
    }

    @Test
    void parserMessagesDoNotNameJacksonSwitches() {
        for (String json : new String[] {
            "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":+1}",
            "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":NaN}",
            "{'userId':'u'}",
            "{\"x\":" + "[".repeat(1500) + "]".repeat(1500) + "}"}) {
            String reason = EventValidator.validateJson(json).reason();
            assertFalse(reason.contains("`") || reason.contains("Feature") || reason.contains("Constraints"), reason);
            assertTrue(reason.startsWith("not valid JSON: ") && reason.length() > 20, reason);
        }
    }

    @Test
    void aRepeatedKeyIsNotValidJsonWhicheverTheKey() {
        for (String json : new String[] {
            "{\"userId\":\"u\",\"name\":\"add_revenue\",\"name\":\"subtract_revenue\",\"value\":1}",
            "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1,\"value\":2}",
            "{\"note\":1,\"userId\":\"u\",\"note\":2,\"name\":\"add_revenue\",\"value\":1}"}) {
            String reason = EventValidator.validateJson(json).reason();
            assertTrue(reason != null && reason.startsWith("not valid JSON") && reason.contains("Duplicate field"), json);
        }
        assertTrue(EventValidator.validateJson("{\"a\":1,\"b\":2,\"userId\":\"u\",\"name\":\"add_revenue\","
                + "\"value\":1,\"c\":{\"d\":1}}").valid());
    }
}
