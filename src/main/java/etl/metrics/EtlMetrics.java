package etl.metrics;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import etl.processor.OutboxFiles;

/**
 * The ETL's own metrics, on the Prometheus registry that Camel's management server serves at /observe/metrics:
 * events accepted, rejected, applied and skipped as duplicates; the outbox backlog (files, bytes, age of the oldest);
 * the apply lag (from spooling to commit); HTTP requests by route and status, with their latency.
 */
public final class EtlMetrics {

    private final MeterRegistry registry;
    private final Counter accepted;
    private final Counter rejectedHttp;
    private final Counter rejectedInbox;
    private final Counter applied;
    private final Counter duplicate;
    private final Timer applyLag;
    private final OutboxFiles outbox;
    private OutboxFiles.Backlog backlog;
    private long backlogAt;

    public EtlMetrics(MeterRegistry registry, OutboxFiles outbox) {
        this.registry = registry;
        this.accepted = Counter.builder("etl.events.accepted").description("events accepted into the outbox")
                .register(registry);
        this.rejectedHttp = Counter.builder("etl.events.rejected").tag("source", "http")
                .description("invalid events refused").register(registry);
        this.rejectedInbox = Counter.builder("etl.events.rejected").tag("source", "inbox")
                .description("invalid events refused").register(registry);
        this.applied = Counter.builder("etl.events.applied").description("events applied to users_revenue")
                .register(registry);
        this.duplicate = Counter.builder("etl.events.duplicate")
                .description("events not applied again: their request's Idempotency-Key was applied before")
                .register(registry);
        this.applyLag = Timer.builder("etl.apply.lag").description("from spooling a file to committing its events")
                .register(registry);
        this.outbox = outbox;
        io.micrometer.core.instrument.FunctionCounter.builder("etl.requests.set.aside", outbox,
                        OutboxFiles::setAsideCount)
                .description("requests the database refuses for good, and folder entries that are not spool files, set"
                        + " aside in outbox/.rejected/").register(registry);
        Gauge.builder("etl.outbox.backlog.files", this, m -> m.backlog().files())
                .description("spool files waiting to be applied").register(registry);
        Gauge.builder("etl.outbox.backlog.bytes", this, m -> m.backlog().bytes())
                .description("bytes of spool files waiting to be applied").register(registry);
        Gauge.builder("etl.outbox.backlog.oldest.seconds", this, m -> m.backlog().oldestAgeSeconds())
                .description("age of the oldest spool file waiting to be applied").register(registry);
    }

    /**
     * The group commits of a log ({@code outbox}, or {@code kafka}): how many groups, and how many requests in them
     * (their ratio is the mean group size: requests answered by one flush or one transaction).
     */
    public void groupCommits(String log, etl.spool.GroupCommit<?, ?> writer) {
        io.micrometer.core.instrument.FunctionCounter.builder("etl.log.commits", writer,
                        etl.spool.GroupCommit::groupsCommitted).tag("log", log)
                .description("group commits of accepted requests (one write and flush, or one Kafka transaction)")
                .register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("etl.log.committed.requests", writer,
                        etl.spool.GroupCommit::itemsCommitted).tag("log", log)
                .description("accepted requests committed, in those groups").register(registry);
    }

    /**
     * The outbox backlog now: one listing serves the three backlog gauges of a scrape and the status page (it is
     * kept for 100 ms).
     */
    public synchronized OutboxFiles.Backlog backlog() {
        long now = System.nanoTime();
        if (backlog == null || now - backlogAt > 100_000_000L) {
            backlog = outbox.backlog();
            backlogAt = now;
        }
        return backlog;
    }

    /** Route step: counts the accepted events of header {@code etlEvents}. */
    public final class CountAccepted implements org.apache.camel.Processor {
        @Override
        public void process(org.apache.camel.Exchange e) {
            accepted(e.getMessage().getHeader("etlEvents", Integer.class));
        }
    }

    /** Route step: counts the invalid events of header {@code etlInvalid}. */
    public final class CountRejectedHttp implements org.apache.camel.Processor {
        @Override
        public void process(org.apache.camel.Exchange e) {
            rejectedHttp(e.getMessage().getHeader("etlInvalid", Integer.class));
        }
    }

    public void accepted(int events) {
        accepted.increment(events);
    }

    public void rejectedHttp(int events) {
        rejectedHttp.increment(events);
    }

    public void rejectedInbox(long lines) {
        rejectedInbox.increment(lines);
    }

    /** Requests set aside by a committed batch. */
    public void setAside(long requests) {
        outbox.countSetAside(requests);
    }

    /** A committed batch: its applied and duplicate events, and the lag of each of its files. */
    public void applied(long events, long duplicates, Iterable<String> files) {
        applied.increment(events);
        duplicate.increment(duplicates);
        long now = System.currentTimeMillis();
        for (String f : files) {
            long spooled = OutboxFiles.spooledAt(f);
            if (spooled > 0 && spooled <= now) {
                applyLag.record(Duration.ofMillis(now - spooled));
            }
        }
    }

    /** The counts so far, for the status page's rates: accepted, applied, rejected (HTTP and inbox), set aside. */
    public record Counts(double accepted, double applied, double rejected, double setAside, long lagCount,
            double lagSeconds) {
    }

    public Counts counts() {
        return new Counts(accepted.count(), applied.count(), rejectedHttp.count() + rejectedInbox.count(),
                outbox.setAsideCount(), applyLag.count(), applyLag.totalTime(java.util.concurrent.TimeUnit.SECONDS));
    }

    /** The registry the metrics are on (Camel's Prometheus registry). */
    public MeterRegistry registry() {
        return registry;
    }

    /** One HTTP answer: counted and timed by route and status. */
    public void http(String route, int status, long nanos) {
        Timer.builder("etl.http.requests").tag("route", route).tag("status", Integer.toString(status))
                .description("HTTP requests by route and status").publishPercentileHistogram().register(registry)
                .record(Duration.ofNanos(nanos));
    }
}
