package etl.http;

import java.util.List;
import java.util.concurrent.Executor;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.CamelHttpResponses;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import etl.spool.GroupCommit;

/**
 * The platform-http engine of {@code POST /liveEvent} (the endpoint's {@code platformHttpEngine} option): Camel's
 * Vert.x engine, whose consumer lets the route's worker go while the request waits for its group commit.
 * <p>
 * Camel's consumer (4.18, and 4.22 alike) runs the whole route on a Vert.x worker with {@code executeBlocking} and the
 * synchronous {@code process(exchange)}: the worker waits there until the request's group is on the device, and the
 * writer then wakes each waiting worker, one by one. Profiled under single-event POSTs (perf, 32 connections), the
 * waits and wake-ups were a fifth of the process's CPU. This consumer starts the route the same way on a worker, but
 * with the asynchronous {@code process(exchange, callback)}, and marks the exchange with {@link GroupCommit#RESUME_ON}:
 * the spool step ({@code etl.spool.SpoolWriter}) then hands the line to the writer and returns, the worker takes the
 * next request, and once the group is committed the rest of the route (a count, the JSON answer) runs on the request's
 * event loop, which writes the answer as Camel's consumer does ({@link CamelHttpResponses}). A route with no such step
 * runs to its end on the worker, as before.
 * <p>
 * What Camel's consumer does and this one leaves out, as {@code /liveEvent} uses none of it: the body handler
 * ({@code useBodyHandler=false}: the door reads the body), form data, the HTTP proxy mode, and
 * {@code handleWriteResponseError}.
 */
public final class ResumingHttpEngine extends VertxPlatformHttpEngine {

    /** Camel's engine binds itself here as the default engine of every platform-http endpoint; this one must not. */
    @Override
    protected void doInit() {
    }

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        return new Consumer(endpoint, processor, getHandlers(),
                VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort()));
    }

    static final class Consumer extends VertxPlatformHttpConsumer {

        private final boolean muteExceptions;

        Consumer(PlatformHttpEndpoint endpoint, Processor processor, List<Handler<RoutingContext>> handlers,
                String routerName) {
            super(endpoint, processor, handlers, routerName);
            this.muteExceptions = endpoint.isMuteException();
        }

        @Override
        protected void handleRequest(RoutingContext ctx) {
            if (isSuspended()) {
                ctx.response().setStatusCode(503);
                ctx.end();
                return;
            }
            Context loop = Vertx.currentContext(); // the request's event loop
            Exchange exchange = createExchange(false);
            exchange.setPattern(ExchangePattern.InOut);
            exchange.setProperty(GroupCommit.RESUME_ON, (Executor) task -> loop.runOnContext(v -> task.run()));
            processHttpRequest(exchange, ctx).onComplete(read -> {
                if (read.failed()) {
                    fail(ctx, exchange, read.cause());
                    return;
                }
                ctx.vertx().executeBlocking(() -> {
                    createUoW(exchange);
                    getAsyncProcessor().process(exchange, sync -> loop.runOnContext(v -> respond(ctx, exchange)));
                    return null;
                }, false).onFailure(e -> fail(ctx, exchange, e));
            });
        }

        /** On the event loop, once the route has ended (on the worker, or where it resumed). */
        private void respond(RoutingContext ctx, Exchange exchange) {
            CamelHttpResponses.write(ctx, exchange, getEndpoint().getHeaderFilterStrategy(), muteExceptions)
                    .onComplete(written -> {
                        if (written.succeeded()) {
                            done(exchange);
                        } else {
                            fail(ctx, exchange, written.cause());
                        }
                    });
        }

        private void fail(RoutingContext ctx, Exchange exchange, Throwable failure) {
            getExceptionHandler().handleException("Failed handling platform-http endpoint " + getEndpoint().getPath(),
                    failure);
            ctx.fail(failure);
            done(exchange);
        }

        private void done(Exchange exchange) {
            doneUoW(exchange);
            releaseExchange(exchange, false);
        }
    }
}
