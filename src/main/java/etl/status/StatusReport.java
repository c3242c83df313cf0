package etl.status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.api.management.mbean.ManagedRouteMBean;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

import etl.inbox.InboxRun;
import etl.metrics.EtlMetrics;
import etl.processor.OutboxFiles;

/**
 * The document behind the status page ({@code /status.json} on the management port): health, rates of the last 15
 * minutes, the backlog, the work in progress, every route from Camel's management API, and where the bad input went.
 * Built on each request (the page asks every few seconds); nothing in it is a secret the management port does not
 * already show, and no event's content is in it.
 */
public final class StatusReport {

    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private final CamelContext context;
    private final EtlMetrics metrics;
    private final StatusHistory history;
    private final WorkInProgress work;
    private final RecentRejections rejections;
    private final String roles;
    private final long periodMillis;
    private final Supplier<List<Map<String, Object>>> jobs;

    public StatusReport(CamelContext context, EtlMetrics metrics, StatusHistory history, WorkInProgress work,
            RecentRejections rejections, String roles, long periodMillis, Supplier<List<Map<String, Object>>> jobs) {
        this.jobs = jobs;
        this.context = context;
        this.metrics = metrics;
        this.history = history;
        this.work = work;
        this.rejections = rejections;
        this.roles = roles;
        this.periodMillis = periodMillis;
    }

    public String json() throws JsonProcessingException {
        return JSON.writeValueAsString(document());
    }

    public Map<String, Object> document() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("at", Instant.now().toString());
        doc.put("process", Map.of("name", context.getName(), "roles", roles, "uptimeSeconds",
                context.getUptime().toSeconds(), "camelVersion", context.getVersion(), "samplePeriodMs",
                periodMillis));
        doc.put("health", health());
        doc.put("rates", history.columns());
        OutboxFiles.Backlog b = metrics.backlog();
        doc.put("backlog", Map.of("files", b.files(), "bytes", b.bytes(), "oldestSeconds", b.oldestAgeSeconds()));
        List<Map<String, Object>> inbox = new ArrayList<>();
        for (InboxRun.Progress p : work.inbox()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", p.file());
            m.put("bytes", p.bytes());
            m.put("bytesRead", p.bytesRead());
            m.put("lines", p.lines());
            m.put("accepted", p.accepted());
            m.put("rejected", p.rejected());
            m.put("progress", Math.round(p.fraction() * 1000) / 1000.0);
            m.put("eventsPerSecond", Math.round(p.eventsPerSecond()));
            m.put("seconds", Math.round(p.seconds() * 10) / 10.0);
            inbox.add(m);
        }
        doc.put("inbox", inbox);
        doc.put("jobs", jobs.get());
        doc.put("routes", routes());
        doc.put("rejections", rejections.newest(20));
        return doc;
    }

    /**
     * Every check's state: the ETL's own (database, outbox) and the context's one by one; Camel's one-per-route checks
     * (route:*, consumer:*) as one line per kind while they are all UP, and each one that is not.
     */
    private Map<String, Object> health() {
        List<Map<String, Object>> checks = new ArrayList<>();
        Map<String, int[]> perRoute = new TreeMap<>();
        boolean up = true;
        // every check, not the one line of the default exposure (the management door keeps ?exposureLevel=full, with
        // each check's error, for the token; the page shows each check's state and message, not its exception)
        for (HealthCheck.Result r : HealthCheckHelper.invoke(context, check -> Map.of(), check -> false, "full")) {
            String id = r.getCheck().getId();
            up &= r.getState() != HealthCheck.State.DOWN;
            int colon = id.indexOf(':');
            String kind = colon > 0 ? id.substring(0, colon) : null;
            if (kind != null && (kind.equals("route") || kind.equals("consumer")) && r.getState() == HealthCheck.State.UP) {
                perRoute.computeIfAbsent(kind, k -> new int[1])[0]++;
                continue;
            }
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", id);
            c.put("state", r.getState().name());
            c.put("readiness", r.getCheck().isReadiness());
            c.put("liveness", r.getCheck().isLiveness());
            r.getMessage().ifPresent(m -> c.put("message", m));
            Map<String, Object> details = new TreeMap<>();
            r.getDetails().forEach((k, v) -> {
                // what the check found; not its bookkeeping (ids, counts, times) or a failure's exception
                if (!k.startsWith("failure.") && !k.startsWith("check.") && !k.startsWith("invocation.")
                        && !k.startsWith("success.")) {
                    details.put(k, String.valueOf(v));
                }
            });
            c.put("details", details);
            checks.add(c);
        }
        checks.sort((x, y) -> Integer.compare(rank((String) x.get("id")), rank((String) y.get("id"))));
        perRoute.forEach((kind, n) -> checks.add(Map.of("id", kind + ":*", "state", "UP", "readiness", true,
                "liveness", false, "message", n[0] + " " + kind + "s, every one UP", "details", Map.of())));
        return Map.of("status", up ? "UP" : "DOWN", "checks", checks);
    }

    /** The ETL's own checks first, then the context's, then Camel's per route. */
    private static int rank(String id) {
        return id.contains(":") ? 2 : id.equals("context") ? 1 : 0;
    }

    private List<Map<String, Object>> routes() {
        ManagedCamelContext managed = context.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Route route : context.getRoutes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", route.getRouteId());
            m.put("from", route.getEndpoint().getEndpointBaseUri());
            ManagedRouteMBean mb = managed == null ? null : managed.getManagedRoute(route.getRouteId());
            if (mb != null) {
                m.put("state", mb.getState());
                m.put("exchanges", mb.getExchangesTotal());
                m.put("failed", mb.getExchangesFailed());
                m.put("inflight", mb.getExchangesInflight());
                m.put("meanMs", mb.getMeanProcessingTime());
                m.put("maxMs", mb.getMaxProcessingTime());
                m.put("lastMs", mb.getLastProcessingTime());
            } else {
                m.put("state", context.getRouteController().getRouteStatus(route.getRouteId()).name());
            }
            out.add(m);
        }
        out.sort((a, b) -> ((String) a.get("id")).compareTo((String) b.get("id")));
        return out;
    }
}
