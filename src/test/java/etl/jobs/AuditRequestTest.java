package etl.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class AuditRequestTest {

    private static AuditRequest parse(String s) throws FieldError {
        return AuditRequest.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String refused(byte[] b) {
        return assertThrows(FieldError.class, () -> AuditRequest.parse(b)).field();
    }

    @Test
    void nothingOrAnObjectAsksForAnAudit() throws Exception {
        assertFalse(parse("").rebuild());
        assertFalse(parse(" \n").rebuild());
        assertFalse(parse("{}").rebuild());
        assertTrue(parse("\uFEFF{\"rebuild\": true}").rebuild());
    }

    @Test
    void anythingElseIsRefused() {
        assertEquals("rebuild", refused("{\"rebuild\":1}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("rebuild", refused("{\"rebuild\":\"true\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("dryRun", refused("{\"dryRun\":true}".getBytes(StandardCharsets.UTF_8)));
        assertNull(refused("[]".getBytes(StandardCharsets.UTF_8)));
        assertNull(refused("{} {}".getBytes(StandardCharsets.UTF_8)));
        assertNull(refused("{\"rebuild\":true,\"rebuild\":false}".getBytes(StandardCharsets.UTF_8)));
        assertNull(refused(new byte[] {'{', (byte) 0xC0, (byte) 0x80, '}'}));
        assertNull(refused(new byte[] {0, '{', '}'}));
        assertNull(refused("{}".getBytes(StandardCharsets.UTF_16)));
        assertEquals("rebuild", refused("{\"rebuild\":".repeat(2000).getBytes(StandardCharsets.UTF_8)));
        assertNull(refused("[".repeat(5000).getBytes(StandardCharsets.UTF_8)));
        assertNull(refused(("{\"rebuild\":true" + " ".repeat(70_000) + "}").getBytes(StandardCharsets.UTF_8)));
    }
}
