package etl.inbox;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Plain connections only for a server the client reaches without TLS; an https URL keeps camel-http's own manager. */
class PlainHttpConnectionsTest {

    @Test
    void onlyAnHttpUrlGetsPlainConnections() {
        assertTrue(PlainHttpConnections.applies("http://localhost:8000"));
        assertTrue(PlainHttpConnections.applies("HTTP://example.org"));
        assertFalse(PlainHttpConnections.applies("https://example.org"));
        assertFalse(PlainHttpConnections.applies("HTTPS://example.org"));
        assertFalse(PlainHttpConnections.applies(null));
        assertFalse(PlainHttpConnections.applies(""));
    }
}
