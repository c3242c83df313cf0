package etl.http;

import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeEvent;
import org.apache.camel.support.EventNotifierSupport;

import etl.metrics.EtlMetrics;

/**
 * Counts and times every answer of the HTTP routes, by the id of the route that took the request and the status
 * ({@code etl_http_requests_seconds{route,status}}), when its exchange completes: one place for all of them, instead
 * of a step in each answer. The answers the door gives before a route runs ({@link ApiDoor}) are counted there.
 */
public final class HttpAnswerMetrics extends EventNotifierSupport {

    private final EtlMetrics metrics;

    public HttpAnswerMetrics(EtlMetrics metrics) {
        this.metrics = metrics;
        setIgnoreCamelContextEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeSentEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
        setIgnoreStepEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return (event.getType() == CamelEvent.Type.ExchangeCompleted || event.getType() == CamelEvent.Type.ExchangeFailed)
                && ((ExchangeEvent) event).getExchange().getFromEndpoint() instanceof PlatformHttpEndpoint;
    }

    @Override
    public void notify(CamelEvent event) {
        Exchange exchange = ((ExchangeEvent) event).getExchange();
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (status == null) {
            status = exchange.getException() != null ? 500 : 200;
        }
        long nanos = (System.currentTimeMillis() - exchange.getClock().getCreated()) * 1_000_000L;
        metrics.http(exchange.getFromRouteId() == null ? "?" : exchange.getFromRouteId(), status, nanos);
    }
}
