package etl.jobs;

import java.util.HashMap;
import java.util.Map;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The jobs' metrics: {@code etl_jobs{kind,status}} (jobs in the table now, from one grouped count kept for two seconds,
 * so that a scrape costs at most one query), and per process what finished runs moved: {@code
 * etl_job_bytes_total{kind}} (bytes imported or exported), {@code etl_job_rows_total{kind}} (lines imported, rows
 * exported, events audited), {@code etl_job_runs_total{kind}}.
 */
public final class JobMetrics {

    private static final String[] KINDS = {"import", "export", "audit"};
    private static final String[] STATUSES = {"queued", "running", "completed", "failed"};
    private static final long CACHE_NANOS = 2_000_000_000L;

    private final JdbcTemplate jdbc;
    private final MeterRegistry registry;
    private Map<String, Long> counts = Map.of();
    private long countedAt;

    public JobMetrics(DataSource dataSource, MeterRegistry registry) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.registry = registry;
        for (String kind : KINDS) {
            for (String status : STATUSES) {
                String k = kind + "/" + status;
                Gauge.builder("etl.jobs", this, m -> m.count(k)).tag("kind", kind).tag("status", status)
                        .description("jobs by kind and status").register(registry);
            }
        }
    }

    private synchronized double count(String key) {
        long now = System.nanoTime();
        if (now - countedAt > CACHE_NANOS) {
            Map<String, Long> fresh = new HashMap<>();
            try {
                jdbc.query("SELECT kind, status, count(*) FROM etl_jobs GROUP BY kind, status",
                        rs -> {
                            fresh.put(rs.getString(1) + "/" + rs.getString(2), rs.getLong(3));
                        });
                counts = fresh;
            } catch (DataAccessException e) {
                return Double.NaN; // the database down: unknown, not zero
            } finally {
                countedAt = now;
            }
        }
        return counts.getOrDefault(key, 0L);
    }

    /** Route step after a run completed (headers {@link JobSteps#KIND}, {@link JobSteps#RESULT}): its counts. */
    public final class Completed implements Processor {
        @Override
        public void process(Exchange e) {
            String kind = e.getMessage().getHeader(JobSteps.KIND, String.class);
            Map<String, Object> result = JobView.json(e.getMessage().getHeader(JobSteps.RESULT, String.class));
            Object bytes = "import".equals(kind) ? result.get("bytesRead") : result.get("bytes");
            Object rows = switch (kind) {
                case "import" -> result.get("lines");
                case "export" -> result.get("rows");
                default -> result.get("events");
            };
            counter("etl.job.runs", kind, "finished job runs").increment();
            if (bytes instanceof Number n) {
                counter("etl.job.bytes", kind, "bytes imported or exported").increment(n.doubleValue());
            }
            if (rows instanceof Number n) {
                counter("etl.job.rows", kind, "lines imported, rows exported, events audited").increment(n.doubleValue());
            }
        }
    }

    private Counter counter(String name, String kind, String description) {
        return Counter.builder(name).tag("kind", kind).description(description).register(registry);
    }
}
