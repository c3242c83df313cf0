package etl.http;

import java.util.function.Function;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Ends an HTTP exchange with a JSON answer. Every request header is removed first, so that nothing the client sent
 * (above all {@code Authorization}) is echoed on the response. Answers are counted and timed by route and status by
 * {@link HttpAnswerMetrics}, when the exchange completes.
 */
public final class HttpReply implements Processor {

    /** Set by a step that refuses a request for one of its fields: the field's name, and why. */
    public static final String INVALID_FIELD = "etlInvalidField";
    public static final String INVALID_REASON = "etlInvalidReason";

    private final int status;
    private final Function<Exchange, String> body;

    public HttpReply(int status, Function<Exchange, String> body) {
        this.status = status;
        this.body = body;
    }

    /** An answer {@code {"error": message}}. */
    public static HttpReply error(int status, String message) {
        String json = Json.error(message);
        return new HttpReply(status, e -> json);
    }

    @Override
    public void process(Exchange exchange) {
        send(exchange, status, body.apply(exchange));
    }

    /** Makes the exchange's message the answer: status, JSON body, no request header. */
    public static void send(Exchange exchange, int status, String json) {
        var message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(json);
    }

    /** An answer with the message of the exception the error handler caught, and a suffix. */
    public static final class Caught implements Processor {
        private final int status;
        private final String suffix;

        public Caught(int status, String suffix) {
            this.status = status;
            this.suffix = suffix;
        }

        @Override
        public void process(Exchange exchange) {
            Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            send(exchange, status, Json.error((caught == null ? "request refused" : caught.getMessage()) + suffix));
        }
    }

    /** 400 {@code {"error", "field"}}: the reason in header {@link #INVALID_REASON}, the field (or null: the body). */
    public static final class FieldRefused implements Processor {
        @Override
        public void process(Exchange e) {
            var m = e.getMessage();
            send(e, 400, Json.fieldError(m.getHeader(INVALID_FIELD, String.class), m.getHeader(INVALID_REASON,
                    String.class)));
        }
    }

    /** Marks the exchange's request as refused for a field (answered by {@link FieldRefused}). */
    public static void refuseField(Exchange e, String field, String reason) {
        e.getMessage().setHeader(INVALID_FIELD, field);
        e.getMessage().setHeader(INVALID_REASON, reason);
    }
}
