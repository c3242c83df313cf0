package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Prometheus text at /observe/metrics, with the right numbers after traffic. */
class MetricsTest extends SystemTestBase {

    static Map<String, Double> scrape() throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + Http.MANAGEMENT_PORT + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> m = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            m.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
        }
        return m;
    }

    private static double get(Map<String, Double> m, String name) {
        return m.getOrDefault(name, 0.0);
    }

    @Test
    void eventsBacklogLagAndHttpRequestsAreCounted() throws Exception {
        Map<String, Double> before = scrape();
        String u = user("metrics");
        String ev = "{\"userId\":\"" + u + "\",\"name\":\"add_revenue\",\"value\":1}";
        assertEquals(200, Http.post("[" + ev + "," + ev + "," + ev + "]", AUTH, TOKEN).status());
        assertEquals(400, Http.post("[" + ev + ",{\"userId\":\"x\"},{}]", AUTH, TOKEN).status());
        assertEquals(401, Http.post(ev).status());
        Waits.revenue(u, "3", 5000);
        assertEquals(200, Http.post(ev, AUTH, TOKEN, "Idempotency-Key", "m-" + u).status());
        Waits.revenue(u, "4", 5000);
        assertEquals(200, Http.post(ev, AUTH, TOKEN, "Idempotency-Key", "m-" + u).status()); // answered duplicate
        InboxTest.drop("metrics-" + u + ".jsonl", ev + "\nbad\n" + ev + "\n");
        Waits.until("inbox file done", 10_000, () -> Files.exists(inbox().resolve(".done/metrics-" + u + ".jsonl")));
        Waits.revenue(u, "6", 5000);

        Map<String, Double> after = scrape();
        assertEquals(3 + 1 + 2, get(after, "etl_events_accepted_total") - get(before, "etl_events_accepted_total"));
        assertEquals(2, get(after, "etl_events_rejected_total{source=\"http\"}")
                - get(before, "etl_events_rejected_total{source=\"http\"}"));
        assertEquals(1, get(after, "etl_events_rejected_total{source=\"inbox\"}")
                - get(before, "etl_events_rejected_total{source=\"inbox\"}"));
        assertEquals(6, get(after, "etl_events_applied_total") - get(before, "etl_events_applied_total"));
        assertEquals(0, get(after, "etl_outbox_backlog_files"));
        assertTrue(get(after, "etl_apply_lag_seconds_count") > get(before, "etl_apply_lag_seconds_count"));
        String ok = "etl_http_requests_seconds_count{route=\"http-ingest\",status=\"200\"}";
        String unauthorized = "etl_http_requests_seconds_count{route=\"http-ingest\",status=\"401\"}";
        String invalid = "etl_http_requests_seconds_count{route=\"http-ingest\",status=\"400\"}";
        // 3 here (one of them a duplicate) and 1 from the inbox client
        assertEquals(4, get(after, ok) - get(before, ok), after.toString());
        assertEquals(1, get(after, unauthorized) - get(before, unauthorized));
        assertEquals(1, get(after, invalid) - get(before, invalid));
        assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("etl_http_requests_seconds_count{route=\"http-query\"")));
        // the three requests spooled here (the duplicate is not), in one group commit or more, none twice
        String commits = "etl_log_commits_total{log=\"outbox\"}";
        String committed = "etl_log_committed_requests_total{log=\"outbox\"}";
        double groups = get(after, commits) - get(before, commits);
        double requests = get(after, committed) - get(before, committed);
        assertTrue(requests >= 3, after.toString());
        assertTrue(groups >= 1 && groups <= requests, groups + " groups for " + requests + " requests");
    }
}
