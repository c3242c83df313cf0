package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import etl.config.HttpWarmUp;
import etl.metrics.EtlMetrics;

/**
 * The HTTP path's warm-up at start (etl.config.HttpWarmUp): its requests went through the real client component and
 * the real /liveEvent, were each answered {"accepted":0}, and left no event, no spooled request and no endpoint of
 * their own behind; an answer other than that one stops it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpWarmUpTest extends SystemTestBase {

    private EtlMetrics metrics() {
        return context.getRegistry().lookupByNameAndType("etlMetrics", EtlMetrics.class);
    }

    @Test
    @Order(1) // first: the other test applies an event, and this one counts none
    void itsRequestsWereAnsweredAndLeftNothing() throws Exception {
        // SystemTestBase waited for its end; the default is 25 requests
        assertEquals(25, context.getRegistry().lookupByNameAndType("httpWarmUp", HttpWarmUp.class).awaitDone(0));
        var ok = metrics().registry().find("etl.http.requests").tag("route", "http-ingest").tag("status", "200")
                .timer();
        assertTrue(ok != null && ok.count() >= 25, "the warm-up's requests went through the route http-ingest");
        // nothing else of this test class sent an event yet, and the warm-up's requests had none
        assertEquals(0.0, metrics().registry().get("etl.events.accepted").counter().count());
        assertEquals(0.0, metrics().registry().get("etl.log.committed.requests").tag("log", "outbox")
                .functionCounter().count(), "a warm-up request was spooled");
        assertFalse(context.getEndpoints().stream().anyMatch(e -> e.getEndpointUri().contains("127.0.0.1")),
                "the warm-up's endpoint is still there");
    }

    @Test
    @Order(2)
    void anyOtherAnswerStopsIt() throws Exception {
        String url = "http://127.0.0.1:" + Http.PORT + "/liveEvent";
        byte[] blank = "\n\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(3, HttpWarmUp.send(context, url, TOKEN, 3, blank));

        // a wrong token: 401, the first request ends it
        Exception refused = assertThrows(Exception.class, () -> HttpWarmUp.send(context, url, "wrong", 3, blank));
        assertTrue(hasCause(refused, HttpOperationFailedException.class), refused.toString());

        // a body with an event (no warm-up sends one; its user is not named warm-up-…, which HttpApiTest looks for):
        // accepted and applied, and the warm-up stops at its answer
        String u = user("guarded-http");
        byte[] event = ("{\"userId\":\"" + u + "\",\"name\":\"add_revenue\",\"value\":3}\n")
                .getBytes(StandardCharsets.UTF_8);
        IllegalStateException stopped = assertThrows(IllegalStateException.class,
                () -> HttpWarmUp.send(context, url, TOKEN, 3, event));
        assertEquals("request 1 was answered {\"accepted\":1}", stopped.getMessage());
        Waits.revenue(u, "3", 5000);
        assertFalse(context.getEndpoints().stream().anyMatch(e -> e.getEndpointUri().contains("127.0.0.1")));
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
