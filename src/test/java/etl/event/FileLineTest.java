package etl.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class FileLineTest {

    private static final String E = "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1}";

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            out.writeBytes(p instanceof byte[] b ? b : p.toString().getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /** A line known valid without its Event (the common form) decides as the validator does, and gives its event. */
    @Test
    void theCommonFormDecidesAsTheValidatorDoes() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[][] lines = {
            bytes(E), bytes(E, "\r"), bytes("  ", E, "  "), bytes(bom, E),
            bytes("{\"userId\":\"u\",\"name\":\"subtract_revenue\",\"value\":0.05}"),
            bytes("{\"userId\":\"", "x".repeat(255), "\",\"name\":\"add_revenue\",\"value\":9999999999999999.99}"),
            bytes("{\"userId\":\"", "x".repeat(256), "\",\"name\":\"add_revenue\",\"value\":1}"),
            bytes("{\"userId\":\"u\u0000\",\"name\":\"add_revenue\",\"value\":1}"),
            bytes("{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1.005}"),
            bytes("{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":01}"),
            bytes("{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1}x"),
            bytes("{\"userId\":\"", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "\",\"name\":\"add_revenue\",\"value\":1}"),
            bytes("{\"userId\":\"caf", new byte[] {(byte) 0xE9}, "\",\"name\":\"add_revenue\",\"value\":1}"),
            bytes("{\"userId\":\"é\",\"name\":\"add_revenue\",\"value\":1}"),
            bytes("\t", E), bytes(bom, bom, E), bytes("[".repeat(5000)), bytes("not json"),
        };
        for (byte[] line : lines) {
            for (boolean first : new boolean[] {true, false}) {
                FileLine checked = FileLine.check(line, first, 1 << 20);
                int from = first && line.length >= 3 && line[0] == (byte) 0xEF ? 3 : 0;
                int to = line[line.length - 1] == '\r' ? line.length - 1 : line.length;
                EventValidator.Result want = EventValidator.validateLine(line, from, to);
                String what = new String(line, StandardCharsets.UTF_8) + (first ? " (first line)" : "");
                assertEquals(want.valid(), checked.valid(), what);
                assertEquals(want, checked.result(), what);
                assertEquals(from, checked.from(), what);
                assertEquals(to, checked.to(), what);
            }
        }
    }

    @Test
    void blankIsSkippedAndTooLongIsInvalidUnread() {
        assertNull(FileLine.check(bytes(" \t\r"), false, 10));
        assertNull(FileLine.check(bytes(" ".repeat(100)), false, 10), "blank, however long");
        FileLine longLine = FileLine.check(bytes(E), false, 10);
        assertFalse(longLine.valid());
        assertTrue(longLine.result().reason().contains("longer than 10 bytes"), longLine.result().reason());
    }
}
