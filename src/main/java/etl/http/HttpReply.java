package etl.http;

import java.util.function.Function;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import etl.metrics.EtlMetrics;

/**
 * Ends an HTTP exchange with a JSON answer. Every request header is removed first, so that nothing the client sent
 * (above all {@code Authorization}) is echoed on the response. Each answer is counted and timed by route and status.
 */
public final class HttpReply {

    private HttpReply() {
    }

    public static Processor json(int status, Function<Exchange, String> body) {
        return exchange -> {
            String json = body.apply(exchange);
            var message = exchange.getMessage();
            message.removeHeaders("*");
            message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
            message.setHeader(Exchange.CONTENT_TYPE, "application/json");
            message.setBody(json);
            EtlMetrics metrics = exchange.getContext().getRegistry().lookupByNameAndType("etlMetrics", EtlMetrics.class);
            if (metrics != null) {
                long nanos = (System.currentTimeMillis() - exchange.getClock().getCreated()) * 1_000_000L;
                String route = exchange.getFromRouteId() == null ? "?" : exchange.getFromRouteId();
                metrics.http(route, status, nanos);
            }
        };
    }

    public static Processor error(int status, String message) {
        String json = Json.error(message);
        return json(status, e -> json);
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
        public void process(Exchange exchange) throws Exception {
            Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            String message = (caught == null ? "request refused" : caught.getMessage()) + suffix;
            json(status, e -> Json.error(message)).process(exchange);
        }
    }
}
