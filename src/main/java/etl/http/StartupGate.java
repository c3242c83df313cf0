package etl.http;

import java.util.concurrent.TimeUnit;

import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The API port while the process starts. Vert.x listens a moment before the routes are in place and would answer the
 * API's paths with an HTML 404, which a client takes as final. This gate, the first handler of the API's router (put
 * there by {@link HttpServers} before the server listens), answers 503 in JSON with {@code Retry-After} until Camel
 * has started every route; from then on it lets requests through. When Camel has stopped (its HTTP servers too), it
 * closes the Vert.x instance, which Camel does not close since it did not create it.
 */
public final class StartupGate extends EventNotifierSupport {

    static final String UNAVAILABLE = "{\"error\":\"the service is starting; try again in a moment\"}";

    private final Vertx vertx;
    private volatile boolean open;

    public StartupGate(Vertx vertx) {
        this.vertx = vertx;
    }

    /** The Vert.x instance the gate closes once Camel has stopped. */
    public Vertx vertx() {
        return vertx;
    }

    /** Puts the gate first on the router. */
    public void install(Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::handle);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event.getType() == CamelEvent.Type.CamelContextStarted
                || event.getType() == CamelEvent.Type.CamelContextStopped;
    }

    @Override
    public void notify(CamelEvent event) throws Exception {
        if (event.getType() == CamelEvent.Type.CamelContextStarted) {
            open = true;
        } else {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private void handle(RoutingContext ctx) {
        if (open) {
            ctx.next();
            return;
        }
        ctx.response().setStatusCode(503).putHeader("Content-Type", "application/json")
                .putHeader("Retry-After", "1").end(UNAVAILABLE);
    }
}
