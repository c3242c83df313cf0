package etl.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The management port's door (health, metrics): every answer in JSON or the endpoint's own format, never Vert.x's
 * HTML 404, and no detailed health ({@code ?exposureLevel=full}, which shows every check's error text) without the
 * token. The port itself listens on loopback unless {@code ETL_MANAGEMENT_HOST} says otherwise.
 */
public final class ManagementDoor {

    private ManagementDoor() {
    }

    public static void install(Router router, AuthToken token) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> guard(ctx, token));
        router.route().order(Integer.MAX_VALUE).handler(ctx -> ctx.response().setStatusCode(404)
                .putHeader("Content-Type", "application/json")
                .end(Json.error("no such resource: " + ctx.request().method() + " " + ctx.request().path())));
    }

    private static void guard(RoutingContext ctx, AuthToken token) {
        String exposure = ctx.request().getParam("exposureLevel");
        if (exposure != null && !"default".equalsIgnoreCase(exposure) && !"oneline".equalsIgnoreCase(exposure)
                && !token.matches(ctx.request().getHeader("Authorization"))) {
            ctx.response().setStatusCode(401).putHeader("Content-Type", "application/json")
                    .end(Json.error("exposureLevel=" + exposure + " needs the Authorization token"));
            return;
        }
        ApiDoor.securityHeaders(ctx);
    }
}
