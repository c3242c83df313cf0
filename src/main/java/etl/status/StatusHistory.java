package etl.status;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import etl.metrics.EtlMetrics;
import etl.processor.OutboxFiles;

/**
 * The last 15 minutes of the pipeline, sampled every few seconds by route {@code status-sampler}: events accepted,
 * applied, rejected and set aside per second, the mean apply lag of the interval, and the outbox backlog. The status
 * page draws it. Rates are differences of the metrics' counters, so the page shows what {@code /observe/metrics}
 * counts.
 */
public final class StatusHistory implements Processor {

    /** One sample: when (epoch seconds), the rates over the interval before it, the lag and the backlog then. */
    public record Sample(double at, double accepted, double applied, double rejected, double setAside,
            Double lagSeconds, long backlogFiles, long backlogBytes, double oldestSeconds) {
    }

    private final EtlMetrics metrics;
    private final int capacity;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private EtlMetrics.Counts last;
    private long lastAt;

    /** Keeps {@code windowMillis / periodMillis} samples. */
    public StatusHistory(EtlMetrics metrics, long windowMillis, long periodMillis) {
        this.metrics = metrics;
        this.capacity = (int) Math.max(2, windowMillis / Math.max(1, periodMillis));
    }

    /** Route step: takes one sample. */
    @Override
    public void process(Exchange exchange) {
        sample(System.currentTimeMillis());
    }

    synchronized void sample(long now) {
        EtlMetrics.Counts c = metrics.counts();
        OutboxFiles.Backlog b = metrics.backlog();
        if (last != null && now > lastAt) {
            double dt = (now - lastAt) / 1000.0;
            long lags = c.lagCount() - last.lagCount();
            Double lag = lags > 0 ? (c.lagSeconds() - last.lagSeconds()) / lags : null;
            add(new Sample(now / 1000.0, (c.accepted() - last.accepted()) / dt, (c.applied() - last.applied()) / dt,
                    (c.rejected() - last.rejected()) / dt, (c.setAside() - last.setAside()) / dt, lag, b.files(),
                    b.bytes(), b.oldestAgeSeconds()));
        }
        last = c;
        lastAt = now;
    }

    private void add(Sample s) {
        samples.addLast(s);
        while (samples.size() > capacity) {
            samples.removeFirst();
        }
    }

    public synchronized List<Sample> samples() {
        return new ArrayList<>(samples);
    }

    /** The samples as columns, the form the page's charts take: {"t": [...], "accepted": [...], ...}. */
    public Map<String, List<Object>> columns() {
        List<Sample> all = samples();
        Map<String, List<Object>> cols = new LinkedHashMap<>();
        for (String k : List.of("t", "accepted", "applied", "rejected", "setAside", "lagSeconds", "backlogFiles",
                "backlogBytes", "oldestSeconds")) {
            cols.put(k, new ArrayList<>(all.size()));
        }
        for (Sample s : all) {
            cols.get("t").add(s.at());
            cols.get("accepted").add(round(s.accepted()));
            cols.get("applied").add(round(s.applied()));
            cols.get("rejected").add(round(s.rejected()));
            cols.get("setAside").add(round(s.setAside()));
            cols.get("lagSeconds").add(s.lagSeconds() == null ? null : round(s.lagSeconds()));
            cols.get("backlogFiles").add(s.backlogFiles());
            cols.get("backlogBytes").add(s.backlogBytes());
            cols.get("oldestSeconds").add(round(s.oldestSeconds()));
        }
        return cols;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
