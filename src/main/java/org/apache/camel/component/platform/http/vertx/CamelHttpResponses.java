package org.apache.camel.component.platform.http.vertx;

import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * Opens camel-platform-http-vertx's own writing of an exchange's answer (status, headers through the endpoint's
 * filter, body) to {@code etl.http.ResumingHttpEngine}, whose consumer writes the answer when its route resumes instead
 * of when a worker returns. In 4.18 that method is package-private; this is the only class of ours in Camel's package,
 * so that the answer is written by Camel's code and not by a copy of it.
 */
public final class CamelHttpResponses {

    private CamelHttpResponses() {
    }

    public static Future<Void> write(RoutingContext ctx, Exchange exchange, HeaderFilterStrategy headerFilterStrategy,
            boolean muteExceptions) {
        return VertxPlatformHttpSupport.writeResponse(ctx, exchange, headerFilterStrategy, muteExceptions);
    }
}
