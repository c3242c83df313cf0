package etl.http;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;

/**
 * Camel's HTTP servers (the API's and the management one) as this system needs them, where camel-platform-http-vertx
 * 4.18 has no setting: Camel takes the Vert.x instance from the registry, and this is a thin proxy of it that, when a
 * server asks for its HTTP server (right after making its router, right before listening):
 * <ul>
 * <li>sets the server's limits: an idle timeout (a connection that sends nothing is closed), the largest request
 * line and header block, HTTP/1.1;</li>
 * <li>answers a request that Netty cannot even decode (a NUL in a header, a URI or header block over the limit,
 * {@code %ZZ}) in JSON, with the status that says why, where Vert.x answers with an empty body;</li>
 * <li>puts this system's handlers in front of each server's router (the start-up gate, the door of the API), keyed
 * by the server's port.</li>
 * </ul>
 * Everything else goes to Vert.x itself.
 */
public final class HttpServers {

    private final CamelContext context;
    private final int idleTimeoutSeconds;
    private final int maxHeaderBytes;
    private final int maxLineBytes;
    private final List<Installer> installers = new ArrayList<>();

    private record Installer(int port, Consumer<Router> install, boolean[] done) {
    }

    public HttpServers(CamelContext context, int idleTimeoutSeconds, int maxHeaderBytes, int maxLineBytes) {
        this.context = context;
        this.idleTimeoutSeconds = idleTimeoutSeconds;
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxLineBytes = maxLineBytes;
    }

    /** Puts handlers on the router of the server on {@code port}, once, before it listens. */
    public synchronized HttpServers onRouter(int port, Consumer<Router> install) {
        installers.add(new Installer(port, install, new boolean[1]));
        return this;
    }

    private synchronized void installOnRouters() {
        for (Installer i : installers) {
            if (!i.done()[0]) {
                VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                        VertxPlatformHttpRouter.getRouterNameFromPort(i.port()));
                if (router != null) {
                    i.install().accept(router);
                    i.done()[0] = true;
                }
            }
        }
    }

    /** The proxy of {@code real} that Camel's servers get. */
    public Vertx vertx(Vertx real) {
        Set<Class<?>> types = new LinkedHashSet<>(List.of(real.getClass().getInterfaces()));
        types.add(Vertx.class);
        InvocationHandler calls = (proxy, method, args) -> {
            if ("createHttpServer".equals(method.getName())) {
                HttpServerOptions options = args != null && args.length == 1 && args[0] instanceof HttpServerOptions o
                        ? o : new HttpServerOptions();
                options.setIdleTimeout(idleTimeoutSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS)
                        // Netty answers a request line over its limit itself, in plain text: its limit is far above
                        // ours, which the request handler below answers in JSON
                        .setMaxHeaderSize(maxHeaderBytes).setMaxInitialLineLength(Math.max(65_536, 8 * maxLineBytes))
                        // HTTP/1.1 only: no cleartext HTTP/2 upgrade (a TLS proxy in front may speak HTTP/2 to
                        // clients). An HTTP/2 request whose body the door read cannot be paused by Camel's consumer.
                        .setHttp2ClearTextEnabled(false);
                installOnRouters();
                return server(real.createHttpServer(options).invalidRequestHandler(HttpServers::invalid), maxLineBytes);
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Vertx) Proxy.newProxyInstance(Vertx.class.getClassLoader(), types.toArray(new Class<?>[0]), calls);
    }

    /**
     * The server, with one addition: the request handler (the router) sees only URIs within the length limit (414)
     * whose percent-encoding is valid (400): Vert.x answers those itself, in plain text, before any route could
     * answer in JSON.
     */
    @SuppressWarnings("unchecked")
    private static HttpServer server(HttpServer real, int maxUriLength) {
        InvocationHandler calls = (proxy, method, args) -> {
            Object[] a = args;
            if ("requestHandler".equals(method.getName()) && args != null && args.length == 1) {
                io.vertx.core.Handler<HttpServerRequest> router = (io.vertx.core.Handler<HttpServerRequest>) args[0];
                a = new Object[] {(io.vertx.core.Handler<HttpServerRequest>) request -> {
                    if (request.uri().length() > maxUriLength) {
                        request.response().setStatusCode(414).putHeader("Content-Type", "application/json")
                                .putHeader("Connection", "close")
                                .end(Json.error("the request's URI is longer than " + maxUriLength + " characters"));
                    } else if (PathUserId.badPercentEncoding(request.path())) {
                        request.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                                .end(Json.error("the request's path is not valid percent-encoding"));
                    } else {
                        router.handle(request);
                    }
                }};
            }
            try {
                Object result = method.invoke(real, a);
                return result == real ? proxy : result;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (HttpServer) Proxy.newProxyInstance(HttpServer.class.getClassLoader(), new Class<?>[] {HttpServer.class},
                calls);
    }

    /** A request Netty could not decode: the status that says why, a JSON body, and the connection closed. */
    static void invalid(HttpServerRequest request) {
        Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
        String what = cause == null ? "" : cause.getClass().getSimpleName();
        int status;
        String message;
        if (what.equals("TooLongHttpHeaderException")) {
            status = 431;
            message = "the request's headers are larger than allowed";
        } else if (what.equals("TooLongHttpLineException")) {
            status = 414;
            message = "the request's URI is longer than allowed";
        } else {
            status = 400;
            message = "the request cannot be read as HTTP (a header or the path holds characters that are not"
                    + " allowed)";
        }
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .putHeader("Connection", "close").end(Json.error(message));
    }
}
