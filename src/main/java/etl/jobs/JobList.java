package etl.jobs;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import etl.http.HttpReply;
import etl.http.ListingSteps;
import etl.http.Json;

/**
 * {@code GET /imports?limit=&after=}, {@code GET /exports?…}: jobs of a kind, newest first, a page at a time. The
 * cursor is the last job of the page (its creation time to the microsecond and its id), base64url-encoded; headers
 * {@code etlBeforeTime}, {@code etlBeforeId} and {@code etlLimit} are job-list.sql's parameters.
 */
public final class JobList {

    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 200;

    private JobList() {
    }

    /** Reads {@code limit} and {@code after}; a bad one is refused by its name. */
    public static final class Page implements Processor {
        private final String kind;

        public Page(String kind) {
            this.kind = kind;
        }

        @Override
        public void process(Exchange e) {
            var m = e.getMessage();
            String after = m.getHeader("after", String.class);
            m.setHeader(JobSteps.KIND, kind);
            int size = ListingSteps.limit(e, DEFAULT_LIMIT, MAX_LIMIT);
            if (size < 0) {
                return;
            }
            String time = "infinity";
            String id = "";
            if (after != null && !after.isEmpty()) {
                String[] cursor = decode(after);
                if (cursor == null) {
                    ListingSteps.refuseCursor(e);
                    return;
                }
                time = cursor[0];
                id = cursor[1];
            }
            m.setHeader("etlBeforeTime", time);
            m.setHeader("etlBeforeId", id);
            m.setHeader("etlLimit", size + 1);
        }
    }

    /** 200 {@code {"items": [job, …], "next": cursor or null}} from job-list.sql's rows. */
    public static final class Reply implements Processor {
        @Override
        public void process(Exchange e) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> rows = e.getMessage().getBody(List.class);
            int limit = e.getMessage().getHeader("etlLimit", Integer.class) - 1;
            List<Map<String, Object>> items = new ArrayList<>();
            for (int i = 0; i < rows.size() && i < limit; i++) {
                Map<String, Object> row = rows.get(i);
                items.add(JobView.of(row, "/" + row.get("kind") + "s"));
            }
            String next = null;
            if (rows.size() > limit) {
                Map<String, Object> last = rows.get(limit - 1);
                next = encode(((Timestamp) last.get("created_at")).toInstant(), (String) last.get("id"));
            }
            Map<String, Object> page = new LinkedHashMap<>();
            page.put("items", items);
            page.put("next", next);
            HttpReply.send(e, 200, Json.write(page));
        }
    }

    /**
     * The jobs the status page shows (status-jobs.sql): each waiting or running one with its progress, and the last
     * ten finished; an empty list when the database cannot be asked (the page shows the database's health anyway).
     */
    public static java.util.function.Supplier<List<Map<String, Object>>> forStatusPage(javax.sql.DataSource ds) {
        String sql = Sql.text("status-jobs.sql");
        org.springframework.jdbc.core.JdbcTemplate jdbc = new org.springframework.jdbc.core.JdbcTemplate(ds);
        return () -> {
            try {
                List<Map<String, Object>> out = new ArrayList<>();
                for (Map<String, Object> row : jdbc.queryForList(sql)) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", row.get("id"));
                    m.put("kind", row.get("kind"));
                    m.put("status", row.get("status"));
                    long done = ((Number) row.get("done")).longValue();
                    Number total = (Number) row.get("total");
                    m.put("progress", "completed".equals(row.get("status")) ? 1.0 : total == null
                            || total.longValue() == 0 ? 0.0 : Math.min(1.0, (double) done / total.longValue()));
                    m.put("createdAt", ((Timestamp) row.get("created_at")).toInstant().toString());
                    m.put("finishedAt", row.get("finished_at") == null ? null
                            : ((Timestamp) row.get("finished_at")).toInstant().toString());
                    out.add(m);
                }
                return out;
            } catch (org.springframework.dao.DataAccessException e) {
                return List.of();
            }
        };
    }

    static String encode(Instant created, String id) {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, created);
        return Base64.getUrlEncoder().withoutPadding().encodeToString((micros + "/" + id)
                .getBytes(StandardCharsets.US_ASCII));
    }

    /** {time (ISO-8601), id} of a cursor, or null when it is not one. */
    static String[] decode(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            int slash = s.indexOf('/');
            if (slash < 1 || !s.substring(slash + 1).matches("[0-9a-f-]{36}")) {
                return null;
            }
            long micros = Long.parseLong(s.substring(0, slash));
            return new String[] {Instant.EPOCH.plus(micros, ChronoUnit.MICROS).toString(), s.substring(slash + 1)};
        } catch (IllegalArgumentException | ArithmeticException | java.time.DateTimeException e) {
            return null;
        }
    }
}
