package etl.http;

import java.util.LinkedHashMap;
import java.util.Map;

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
    /** Each path of the page and the classpath file it serves. */
    private final Map<String, String> files = new LinkedHashMap<>();

    public StatusPage(StatusReport report, String uplotVersion) {
        this.report = report;
        String webjar = "META-INF/resources/webjars/uplot/" + uplotVersion + "/dist/";
        files.put("/status", "status/status.html");
        files.put("/status/status.js", "status/status.js");
        files.put("/status/status.css", "status/status.css");
        files.put("/status/uPlot.iife.min.js", webjar + "uPlot.iife.min.js");
        files.put("/status/uPlot.min.css", webjar + "uPlot.min.css");
    }

    public void install(Router router) {
        files.forEach((path, resource) -> {
            Buffer body = Buffer.buffer(StaticResources.required(resource));
            String type = StaticResources.contentType(resource);
            router.get(path).handler(ctx -> ctx.response().putHeader("Content-Type", type)
                    .putHeader("Cache-Control", "no-cache").end(body));
        });
        router.get("/status.json").handler(this::json);
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
