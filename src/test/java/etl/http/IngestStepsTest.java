package etl.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class IngestStepsTest {

    private final DefaultCamelContext context = new DefaultCamelContext();

    private Exchange exchange(String body, String contentType) {
        Exchange e = new DefaultExchange(context);
        e.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        e.getMessage().setHeader(Exchange.CONTENT_TYPE, contentType);
        return e;
    }

    @Test
    void aValidBodyBecomesItsSpoolLineAndA200() throws Exception {
        Exchange e = exchange("{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1.5,\"x\":1}", "application/json");
        e.getMessage().setHeader(TrustedHeaders.IDEMPOTENCY_KEY, "k");
        new IngestSteps.Parse().process(e);
        assertEquals(0, e.getMessage().getHeader(IngestSteps.INVALID));
        assertEquals(1, e.getMessage().getHeader(IngestSteps.EVENTS));
        new IngestSteps.SpoolLine().process(e);
        // the compact line (the field "x" dropped), its checksum the CRC-32 of what follows it (zlib.crc32 in Python
        // gives the same)
        assertEquals("@1\t065c9f99\t1\tkk\tu\t150\n",
                new String(e.getMessage().getBody(byte[].class), StandardCharsets.UTF_8));
        new IngestSteps.Accepted(false).process(e);
        assertEquals(200, e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE));
        assertEquals("{\"accepted\":1}", e.getMessage().getBody(String.class));
    }

    @Test
    void anInvalidBodyIsA400ListingItsEntries() throws Exception {
        Exchange e = exchange("{\"userId\":\"u\"}\n\nnope", "application/x-ndjson");
        new IngestSteps.Parse().process(e);
        assertEquals(2, e.getMessage().getHeader(IngestSteps.INVALID));
        new IngestSteps.Invalid().process(e);
        assertEquals(400, e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE));
        String body = e.getMessage().getBody(String.class);
        assertTrue(body.contains("\"index\":0") && body.contains("\"index\":2"), body);
    }

    @Test
    void aRepeatAnswersTheCountOfTheAppliedRequest() throws Exception {
        Exchange e = exchange("", "application/json");
        e.getMessage().setHeader(IngestSteps.APPLIED, 7);
        new IngestSteps.Accepted(true).process(e);
        assertEquals("{\"accepted\":7,\"duplicate\":true}", e.getMessage().getBody(String.class));
    }
}
