package etl.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import etl.status.StatusReport;

/**
 * The operator's page on the management port: {@code /status} (the page), {@code /status.json} (the data behind it,
 * for scripts too), and the page's script and styles, with uPlot's from the org.webjars.npm:uplot artifact: nothing
 * is fetched from the internet. Handlers on the management server's router (put there by {@link HttpServers} with
 * the management door), because Camel's platform-http routes serve the API port only; the document is built off the
 * event loop.
 */
public final class StatusPage {

    private final StatusReport report;
    private final Buffer page;
    private final Buffer script;
    private final Buffer styles;
    private final Buffer uplot;
    private final Buffer uplotStyles;

    public StatusPage(StatusReport report, String uplotVersion) {
        this.report = report;
        this.page = resource("status/status.html");
        this.script = resource("status/status.js");
        this.styles = resource("status/status.css");
        String webjar = "META-INF/resources/webjars/uplot/" + uplotVersion + "/dist/";
        this.uplot = resource(webjar + "uPlot.iife.min.js");
        this.uplotStyles = resource(webjar + "uPlot.min.css");
    }

    private static Buffer resource(String name) {
        try (InputStream in = StatusPage.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the classpath");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void install(Router router) {
        router.get("/status").handler(ctx -> send(ctx, page, "text/html; charset=utf-8"));
        router.get("/status/status.js").handler(ctx -> send(ctx, script, "text/javascript; charset=utf-8"));
        router.get("/status/status.css").handler(ctx -> send(ctx, styles, "text/css; charset=utf-8"));
        router.get("/status/uPlot.iife.min.js").handler(ctx -> send(ctx, uplot, "text/javascript; charset=utf-8"));
        router.get("/status/uPlot.min.css").handler(ctx -> send(ctx, uplotStyles, "text/css; charset=utf-8"));
        router.get("/status.json").handler(this::json);
    }

    private static void send(RoutingContext ctx, Buffer body, String type) {
        ctx.response().putHeader("Content-Type", type).putHeader("Cache-Control", "no-cache").end(body);
    }

    private void json(RoutingContext ctx) {
        ctx.vertx().executeBlocking(report::json, false).onComplete(r -> {
            if (r.succeeded()) {
                ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
                        .end(r.result());
            } else {
                ctx.response().setStatusCode(500).putHeader("Content-Type", "application/json")
                        .end(Json.error("the status could not be read: " + r.cause().getMessage()));
            }
        });
    }
}
