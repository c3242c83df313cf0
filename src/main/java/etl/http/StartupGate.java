package etl.http;

import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The API port while the process starts and stops. Vert.x listens a moment before the routes are in place and would
 * answer the API's paths with an HTML 404, which a client takes as final. This gate, the first handler of the HTTP
 * router, answers 503 in JSON with {@code Retry-After} until Camel has started every route; from then on it lets
 * requests through. It is put on the router when the server asks Vert.x for its HTTP server: the router exists by
 * then, and nothing listens yet ({@link #vertx}).
 */
public final class StartupGate extends EventNotifierSupport {

    private static final Logger LOG = LoggerFactory.getLogger(StartupGate.class);
    static final String UNAVAILABLE = "{\"error\":\"the service is starting; try again in a moment\"}";

    private final CamelContext context;
    private final int port;
    private volatile boolean open;
    private volatile boolean installed;
    private volatile Vertx real;

    public StartupGate(CamelContext context, int port) {
        this.context = context;
        this.port = port;
    }

    /**
     * The Vert.x instance for Camel's HTTP servers (they take the one in the registry), with one addition: when a
     * server asks it for an HTTP server, which platform-http does right after making its router and right before it
     * listens, the gate is put on the API's router. Everything else goes to Vert.x itself.
     */
    public Vertx vertx(Vertx real) {
        this.real = real;
        Set<Class<?>> types = new LinkedHashSet<>(List.of(real.getClass().getInterfaces()));
        types.add(Vertx.class);
        InvocationHandler calls = (proxy, method, args) -> {
            if ("createHttpServer".equals(method.getName())) {
                install();
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Vertx) Proxy.newProxyInstance(Vertx.class.getClassLoader(), types.toArray(new Class<?>[0]), calls);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event.getType() == CamelEvent.Type.CamelContextStarted
                || event.getType() == CamelEvent.Type.CamelContextStopped;
    }

    @Override
    public void notify(CamelEvent event) throws Exception {
        if (event.getType() == CamelEvent.Type.CamelContextStarted) {
            install();
            open = true;
        } else if (real != null) {
            // Camel does not close a Vert.x it did not create: once its HTTP servers have stopped, this one closes
            real.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private synchronized void install() {
        if (installed) {
            return;
        }
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            return;
        }
        router.route().order(Integer.MIN_VALUE).handler(this::handle);
        installed = true;
        LOG.debug("Startup gate on the HTTP router of port {}", port);
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
