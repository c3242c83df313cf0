package etl.jobs;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;

import etl.event.EventValidator;

/**
 * A job's row (job-get.sql) as the API shows it: id, status, what was asked, progress from 0 to 1, what came out,
 * times in ISO-8601 UTC, and its links.
 */
public final class JobView {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private JobView() {
    }

    public static Map<String, Object> of(Map<String, Object> row, String path) {
        String id = (String) row.get("id");
        String status = (String) row.get("status");
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", id);
        v.put("status", status);
        v.putAll(json(row.get("request")));
        long done = number(row.get("done"));
        Long total = row.get("total") == null ? null : number(row.get("total"));
        double progress = switch (status) {
            case "completed" -> 1.0;
            case "running" -> total == null || total == 0 ? 0.0 : Math.min(1.0, (double) done / total);
            default -> 0.0;
        };
        v.put("progress", Math.round(progress * 10_000) / 10_000.0);
        v.put("done", done);
        v.put("total", total);
        v.putAll(json(row.get("result")));
        v.put("attempts", row.get("attempts"));
        v.put("error", row.get("error"));
        v.put("createdAt", time(row.get("created_at")));
        v.put("startedAt", time(row.get("started_at")));
        v.put("finishedAt", time(row.get("finished_at")));
        v.put("expiresAt", time(row.get("expires_at")));
        Map<String, Object> links = new LinkedHashMap<>();
        links.put("self", path + "/" + id);
        if ("completed".equals(status) && "/exports".equals(path)) {
            links.put("file", path + "/" + id + "/file");
        }
        if ("/imports".equals(path)) {
            links.put("rejected", path + "/" + id + "/rejected");
        }
        v.put("links", links);
        return v;
    }

    static Map<String, Object> json(Object text) {
        if (text == null) {
            return Map.of();
        }
        try {
            return EventValidator.MAPPER.readValue(text.toString(), MAP);
        } catch (Exception e) {
            throw new IllegalStateException("a job's stored JSON is not readable: " + e.getMessage(), e);
        }
    }

    private static long number(Object o) {
        return o == null ? 0 : ((Number) o).longValue();
    }

    private static String time(Object o) {
        if (o == null) {
            return null;
        }
        Instant t = o instanceof Timestamp ts ? ts.toInstant() : o instanceof java.time.OffsetDateTime odt
                ? odt.toInstant() : Instant.parse(o.toString());
        return t.toString();
    }
}
