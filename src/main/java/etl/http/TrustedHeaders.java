package etl.http;

import java.nio.charset.StandardCharsets;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

import etl.event.IdempotencyKeys;
import etl.io.Utf8;

/**
 * The first step of the HTTP routes: {@code Authorization}, {@code Idempotency-Key} and {@code Content-Type} are taken
 * from the request's own headers. platform-http copies query parameters into message headers, so
 * {@code ?Authorization=<token>} became the Authorization header (and landed in proxy logs and browser history); here a
 * query parameter of those names is dropped, never honoured. An Idempotency-Key arrives as bytes (HTTP headers are
 * ISO-8859-1 on the wire): it is read as UTF-8, so that its length counts characters.
 */
public final class TrustedHeaders implements Processor {

    public static final String AUTHORIZATION = "Authorization";
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** Set when the Idempotency-Key header is not valid UTF-8. */
    public static final String BAD_KEY = "etlBadIdempotencyKey";

    @Override
    public void process(Exchange exchange) {
        Message m = exchange.getMessage();
        if (!(m instanceof HttpMessage http) || http.getRequest() == null) {
            return;
        }
        var request = http.getRequest();
        set(m, AUTHORIZATION, request.getHeader(AUTHORIZATION));
        set(m, Exchange.CONTENT_TYPE, request.getHeader("Content-Type"));
        String key = request.getHeader(IDEMPOTENCY_KEY);
        m.removeHeader(BAD_KEY);
        if (key != null) {
            byte[] raw = key.getBytes(StandardCharsets.ISO_8859_1);
            try {
                key = Utf8.decode(raw, 0, raw.length);
            } catch (Utf8.InvalidException e) {
                m.setHeader(BAD_KEY, true);
            }
        }
        set(m, IDEMPOTENCY_KEY, key);
    }

    private static void set(Message m, String name, String value) {
        if (value == null) {
            m.removeHeader(name);
        } else {
            m.setHeader(name, value);
        }
    }

    /**
     * Why the request's Idempotency-Key is refused (400), or null: not UTF-8; empty or white space (it would make every
     * later request with such a key a "duplicate" of the first); longer than {@link IdempotencyKeys#MAX_KEY_LENGTH}
     * characters.
     */
    public static String keyProblem(Message m) {
        if (m.getHeader(BAD_KEY) != null) {
            return "Idempotency-Key is not valid UTF-8";
        }
        String key = m.getHeader(IDEMPOTENCY_KEY, String.class);
        if (key == null) {
            return null;
        }
        if (key.isBlank()) {
            return "Idempotency-Key is empty; send a non-blank key or none";
        }
        if (key.codePointCount(0, key.length()) > IdempotencyKeys.MAX_KEY_LENGTH) {
            return "Idempotency-Key is longer than " + IdempotencyKeys.MAX_KEY_LENGTH + " characters";
        }
        return null;
    }

    /** True when the request's Idempotency-Key is refused ({@link #keyProblem}). */
    public static final class BadKey implements org.apache.camel.Predicate {
        @Override
        public boolean matches(Exchange exchange) {
            return keyProblem(exchange.getMessage()) != null;
        }
    }

    /** 400: why the Idempotency-Key is refused. */
    public static final class RefuseKey implements Processor {
        @Override
        public void process(Exchange exchange) {
            HttpReply.send(exchange, 400, Json.error(keyProblem(exchange.getMessage())));
        }
    }
}
