package etl.http;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import etl.event.RequestParser;
import etl.spool.SpoolRecord;

/**
 * The named steps of routes {@code http-ingest} and {@code http-ingest-accept}. State travels in the body (the raw
 * bytes, then the {@link RequestParser.Parsed} request, then the spool line) and in three headers:
 * {@link #INVALID} and {@link #EVENTS} (the counts the route chooses on) and {@link #APPLIED} (the event count of an
 * Idempotency-Key applied before).
 */
public final class IngestSteps {

    public static final String INVALID = "etlInvalid";
    public static final String EVENTS = "etlEvents";
    public static final String APPLIED = "etlAppliedEvents";

    private IngestSteps() {
    }

    /** The body (bytes) becomes the parsed request, all or nothing; its counts go to {@link #INVALID}, {@link #EVENTS}. */
    public static final class Parse implements Processor {
        @Override
        public void process(Exchange e) {
            RequestParser.Parsed parsed = RequestParser.parse(e.getMessage().getBody(byte[].class),
                    e.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class));
            e.getMessage().setBody(parsed);
            e.getMessage().setHeader(INVALID, parsed.invalidCount());
            e.getMessage().setHeader(EVENTS, parsed.events().size());
        }
    }

    /** The parsed request becomes its spool line: its Idempotency-Key and its validated events. */
    public static final class SpoolLine implements Processor {
        @Override
        public void process(Exchange e) {
            RequestParser.Parsed parsed = e.getMessage().getBody(RequestParser.Parsed.class);
            e.getMessage().setBody(SpoolRecord.line(e.getMessage().getHeader(TrustedHeaders.IDEMPOTENCY_KEY,
                    String.class), parsed.events()));
        }
    }

    /** 200 {@code {"accepted": N}}: N from {@link #EVENTS}, or from {@link #APPLIED} with {@code "duplicate": true}. */
    public static final class Accepted implements Processor {
        private final boolean duplicate;

        public Accepted(boolean duplicate) {
            this.duplicate = duplicate;
        }

        @Override
        public void process(Exchange e) {
            int n = e.getMessage().getHeader(duplicate ? APPLIED : EVENTS, Integer.class);
            HttpReply.send(e, 200, Json.accepted(n, duplicate));
        }
    }

    /** 400 with the invalid entries of the parsed request. */
    public static final class Invalid implements Processor {
        @Override
        public void process(Exchange e) {
            RequestParser.Parsed p = e.getMessage().getBody(RequestParser.Parsed.class);
            HttpReply.send(e, 400, Json.invalid(p.invalid(), p.invalidCount()));
        }
    }
}
