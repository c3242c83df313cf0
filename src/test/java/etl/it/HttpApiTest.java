package etl.it;

import static etl.it.SystemTestBase.AUTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** Every clause of the contract's HTTP section, against the running application. */
class HttpApiTest extends SystemTestBase {

    private static String event(String user, String name, String value) {
        return "{\"userId\":\"" + user + "\",\"name\":\"" + name + "\",\"value\":" + value + "}";
    }

    @Test
    void singleEventIsAcceptedAndApplied() throws Exception {
        String u = user("single");
        Http.Reply r = Http.post(event(u, "add_revenue", "100"), AUTH, TOKEN, "Content-Type", "application/json");
        assertEquals(200, r.status(), r.body());
        assertEquals("application/json", r.contentType());
        assertEquals(1, r.json().get("accepted").asInt());
        Waits.revenue(u, "100", 5000);
    }

    @Test
    void theWarmUpsSyntheticEventsAreNeverApplied() throws Exception {
        // etl.config.WarmUp ran 100,000 events of users warm-up-0 to warm-up-999 through the parsers at start; none of
        // them is a request: after a real one is applied, no total of theirs exists
        String u = user("after-warm-up");
        assertEquals(200, Http.post(event(u, "add_revenue", "2"), AUTH, TOKEN).status());
        Waits.revenue(u, "2", 5000);
        try (var c = dataSource().getConnection(); var st = c.createStatement();
                var rs = st.executeQuery("SELECT count(*) FROM users_revenue WHERE user_id LIKE 'warm-up-%'")) {
            rs.next();
            assertEquals(0, rs.getInt(1));
        }
        assertEquals(404, Http.get("warm-up-0").status());
    }

    @Test
    void bearerTokenIsAccepted() throws Exception {
        String u = user("bearer");
        assertEquals(200, Http.post(event(u, "add_revenue", "1"), AUTH, "Bearer secret").status());
        Waits.revenue(u, "1", 5000);
    }

    @Test
    void arrayOfEventsAndSubtractBelowZero() throws Exception {
        String u = user("array");
        String body = "[" + event(u, "add_revenue", "10") + "," + event(u, "subtract_revenue", "25.5") + "]";
        Http.Reply r = Http.post(body, AUTH, TOKEN);
        assertEquals(200, r.status(), r.body());
        assertEquals(2, r.json().get("accepted").asInt());
        Waits.revenue(u, "-15.5", 5000);
    }

    @Test
    void jsonLinesWithBlankLinesAndCrlf() throws Exception {
        String u = user("lines");
        String body = event(u, "add_revenue", "1") + "\r\n\n" + event(u, "add_revenue", "2.25") + "\n";
        Http.Reply r = Http.post(body, AUTH, TOKEN, "Content-Type", "application/x-ndjson");
        assertEquals(200, r.status(), r.body());
        assertEquals(2, r.json().get("accepted").asInt());
        Http.Reply r2 = Http.post(event(u, "add_revenue", "1"), AUTH, TOKEN, "Content-Type", "application/jsonl");
        assertEquals(200, r2.status(), r2.body());
        Waits.revenue(u, "4.25", 5000);
    }

    @Test
    void bodyWithoutContentTypeIsReadAsJson() throws Exception {
        // curl -d sends application/x-www-form-urlencoded; the body must still be read raw
        String u = user("form");
        Http.Reply r = Http.post(event(u, "add_revenue", "7"), AUTH, TOKEN,
                "Content-Type", "application/x-www-form-urlencoded");
        assertEquals(200, r.status(), r.body());
        Waits.revenue(u, "7", 5000);
    }

    @Test
    void missingOrWrongTokenIs401AndNothingKept() throws Exception {
        String u = user("unauth");
        Http.Reply none = Http.post(event(u, "add_revenue", "1"));
        Http.Reply wrong = Http.post(event(u, "add_revenue", "1"), AUTH, "secreT");
        Http.Reply wrongBearer = Http.post(event(u, "add_revenue", "1"), AUTH, "Bearer nope");
        for (Http.Reply r : new Http.Reply[] {none, wrong, wrongBearer}) {
            assertEquals(401, r.status(), r.body());
            assertTrue(r.json().has("error"));
            assertFalse(r.body().contains("secret"));
            assertFalse(r.headers().containsKey("authorization"), "Authorization echoed");
        }
        awaitProcessorPolls();
        assertEquals(404, Http.get(u).status());
    }

    @Test
    void everyKindOfInvalidEventIsListedAndNothingOfTheRequestKept() throws Exception {
        String u = user("invalid");
        String[] bad = {
            "{\"name\":\"add_revenue\",\"value\":1}",
            "{\"userId\":\"\",\"name\":\"add_revenue\",\"value\":1}",
            "{\"userId\":true,\"name\":\"add_revenue\",\"value\":1}",
            "{\"userId\":\"" + "x".repeat(256) + "\",\"name\":\"add_revenue\",\"value\":1}",
            "{\"userId\":\"" + u + "\",\"value\":1}",
            "{\"userId\":\"" + u + "\",\"name\":\"multiply\",\"value\":1}",
            "{\"userId\":\"" + u + "\",\"name\":\"add_revenue\"}",
            "{\"userId\":\"" + u + "\",\"name\":\"add_revenue\",\"value\":\"5\"}",
            "{\"userId\":\"" + u + "\",\"name\":\"add_revenue\",\"value\":-1}",
            "{\"userId\":\"" + u + "\",\"name\":\"add_revenue\",\"value\":1.234}",
            "{\"userId\":\"" + u + "\",\"name\":\"add_revenue\",\"value\":null}",
            "[1]",
            "\"text\"",
        };
        StringBuilder body = new StringBuilder("[" + event(u, "add_revenue", "1"));
        for (String b : bad) {
            body.append(',').append(b);
        }
        body.append(']');
        Http.Reply r = Http.post(body.toString(), AUTH, TOKEN);
        assertEquals(400, r.status(), r.body());
        JsonNode invalid = r.json().get("invalid");
        assertEquals(bad.length, invalid.size(), r.body());
        for (int i = 0; i < bad.length; i++) {
            assertEquals(i + 1, invalid.get(i).get("index").asInt());
            assertFalse(invalid.get(i).get("reason").asText().isBlank());
        }
        awaitProcessorPolls();
        assertEquals(404, Http.get(u).status(), "the valid event of a refused request was kept");
    }

    @Test
    void jsonLinesIndexCountsBlankLines() throws Exception {
        String u = user("lineidx");
        String body = event(u, "add_revenue", "1") + "\n\n" + "{oops\n" + event(u, "add_revenue", "1");
        Http.Reply r = Http.post(body, AUTH, TOKEN, "Content-Type", "application/x-ndjson");
        assertEquals(400, r.status(), r.body());
        assertEquals(2, r.json().get("invalid").get(0).get("index").asInt());
    }

    @Test
    void notJsonOrTrailingTextIsOneInvalidEntryAtIndexZero() throws Exception {
        for (String body : new String[] {"hello", "{\"userId\":\"a\",\"name\":\"add_revenue\",\"value\":1} trailing",
            "{\"userId\":\"a\",\"name\":\"add_revenue\",\"value\":1}\n{\"userId\":\"a\",\"name\":\"add_revenue\",\"value\":1}", ""}) {
            Http.Reply r = Http.post(body, AUTH, TOKEN, "Content-Type", "application/json");
            assertEquals(400, r.status(), body + " -> " + r.body());
            assertEquals(1, r.json().get("invalid").size());
            assertEquals(0, r.json().get("invalid").get(0).get("index").asInt());
        }
    }

    @Test
    void atMostOneHundredInvalidEntriesAreListed() throws Exception {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 250; i++) {
            body.append(i == 0 ? "" : ",").append("{\"bad\":").append(i).append('}');
        }
        Http.Reply r = Http.post(body.append(']').toString(), AUTH, TOKEN);
        assertEquals(400, r.status());
        assertEquals(100, r.json().get("invalid").size());
    }

    @Test
    void bodyOverTheLimitIs413AndNothingKept() throws Exception {
        String u = user("big");
        byte[] big = new byte[16 * 1024 * 1024 + 10];
        byte[] ev = (event(u, "add_revenue", "1") + "\n").getBytes();
        for (int i = 0; i + ev.length <= big.length; i += ev.length) {
            System.arraycopy(ev, 0, big, i, ev.length);
        }
        Http.Reply r = Http.post(big, AUTH, TOKEN, "Content-Type", "application/x-ndjson");
        assertEquals(413, r.status(), r.body());
        assertTrue(r.json().has("error"));
        awaitProcessorPolls();
        assertEquals(404, Http.get(u).status());
    }

    @Test
    void twoHundredMeansTheEventIsInTheOutbox() throws Exception {
        String u = user("durable");
        assertEquals(200, Http.post(event(u, "add_revenue", "3"), AUTH, TOKEN).status());
        // right after the 200, the event is in a file of the outbox (or already applied and moved to .done); in Kafka
        // mode, in the topic
        assertTrue(durablyKept(u), "the 200 came before the event was in the log");
    }

    /** Whether the log (the outbox, or in Kafka mode the topic) holds the text. */
    protected boolean durablyKept(String text) throws Exception {
        return outboxContains(text);
    }

    static boolean outboxContains(String text) throws IOException {
        for (Path dir : new Path[] {outbox(), outbox().resolve(".done")}) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    if (Files.readString(f).contains(text)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    @Test
    void idempotencyKeyAppliesOnceEvenWithAnotherBody() throws Exception {
        String u = user("idem");
        String key = "key-" + u;
        Http.Reply first = Http.post(event(u, "add_revenue", "10"), AUTH, TOKEN, "Idempotency-Key", key);
        assertEquals(200, first.status());
        // a repeat before the first is applied is still applied once
        Http.Reply early = Http.post(event(u, "add_revenue", "10"), AUTH, TOKEN, "Idempotency-Key", key);
        assertEquals(200, early.status());
        Waits.revenue(u, "10", 5000);
        Http.Reply repeat = Http.post("[" + event(u, "add_revenue", "99") + "," + event(u, "add_revenue", "1") + "]",
                AUTH, TOKEN, "Idempotency-Key", key);
        assertEquals(200, repeat.status(), repeat.body());
        assertTrue(repeat.json().get("duplicate").asBoolean());
        assertEquals(1, repeat.json().get("accepted").asInt());
        awaitProcessorPolls();
        Waits.revenue(u, "10", 1000);
    }

    @Test
    void ofTwoUnappliedRequestsWithOneKeyTheFirstBodyIsApplied() throws Exception {
        String u = user("firstbody");
        String key = "key-" + u;
        assertEquals(200, Http.post(event(u, "add_revenue", "5"), AUTH, TOKEN, "Idempotency-Key", key).status());
        assertEquals(200, Http.post(event(u, "add_revenue", "7"), AUTH, TOKEN, "Idempotency-Key", key).status());
        Waits.revenue(u, "5", 5000);
        awaitProcessorPolls();
        Waits.revenue(u, "5", 1000);
    }

    @Test
    void idempotencyKeyLongerThan200IsRefused() throws Exception {
        Http.Reply r = Http.post(event(user("k"), "add_revenue", "1"), AUTH, TOKEN, "Idempotency-Key", "k".repeat(201));
        assertEquals(400, r.status());
        assertTrue(r.json().has("error"));
    }

    @Test
    void queryIsUrlDecodedAndExactWithTwoDecimals() throws Exception {
        String u = user("user 1 ü");
        String body = "[" + event(u, "add_revenue", "0.1") + "," + event(u, "add_revenue", "0.2") + "]";
        assertEquals(200, Http.post(body, AUTH, TOKEN).status());
        Waits.revenue(u, "0.3", 5000);
        Http.Reply r = Http.get(u);
        assertEquals(u, r.json().get("userId").asText());
        assertEquals("0.3", r.json().get("revenue").toString());
        assertTrue(r.json().get("revenue").isNumber());
    }

    @Test
    void integerUserIdIsItsDecimalString() throws Exception {
        long id = System.nanoTime();
        assertEquals(200, Http.post("{\"userId\":" + id + ",\"name\":\"add_revenue\",\"value\":5}", AUTH, TOKEN).status());
        Waits.revenue(Long.toString(id), "5", 5000);
    }

    @Test
    void unknownUserIs404WithJsonError() throws Exception {
        Http.Reply r = Http.get(user("nobody"));
        assertEquals(404, r.status());
        assertEquals("application/json", r.contentType());
        assertTrue(r.json().has("error"));
    }

    @Test
    void unknownPathsAndMethodsAnswerJsonToo() throws Exception {
        for (Http.Reply r : new Http.Reply[] {Http.getRaw("/nope"), Http.getRaw("/userEvents/"),
            Http.getRaw("/liveEvent", AUTH, TOKEN)}) {
            assertEquals(404, r.status(), r.body());
            assertEquals("application/json", r.contentType());
            assertTrue(r.json().has("error"));
        }
    }

    @Test
    void noAnswerCarriesAStackTraceOrTheToken() throws Exception {
        Http.Reply[] replies = {
            Http.post("{", AUTH, TOKEN),
            Http.post("[{\"userId\":{\"a\":1},\"name\":\"add_revenue\",\"value\":1e999999999}]", AUTH, TOKEN),
            Http.post("x", AUTH, "Bearer secret-but-wrong"),
            Http.getRaw("/userEvents/%E2%82", AUTH, TOKEN),
            Http.getRaw("/liveEvent", AUTH, TOKEN),
        };
        for (Http.Reply r : replies) {
            assertFalse(r.body().contains("Exception"), r.body());
            assertFalse(r.body().contains("\tat "), r.body());
            assertFalse(r.body().contains("secret"), r.body());
            assertFalse(r.headers().containsKey("authorization"), "Authorization echoed");
        }
    }

    @Test
    void keysAndFileMarksOlderThanTheRetentionAreForgottenNewerOnesKept() throws Exception {
        String old = "old-" + user("k");
        String fresh = "fresh-" + user("k");
        try (java.sql.Connection c = dataSource().getConnection(); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO idempotency_keys (idempotency_key, events, applied_at) VALUES ('" + old
                    + "', 1, now() - interval '31 days'), ('" + fresh + "', 1, now() - interval '8 days')");
            st.executeUpdate("INSERT INTO camel_messageprocessed (processorName, messageId, createdAt) VALUES "
                    + "('outbox-files', '" + old + "', now() - interval '31 days'), "
                    + "('outbox-files', '" + fresh + "', now() - interval '8 days')");
        }
        Waits.until("old marks forgotten", 5000, () -> count("idempotency_keys", "idempotency_key", old) == 0
                && count("camel_messageprocessed", "messageId", old) == 0);
        assertEquals(1, count("idempotency_keys", "idempotency_key", fresh));
        assertEquals(1, count("camel_messageprocessed", "messageId", fresh));
    }

    private int count(String table, String column, String value) throws Exception {
        try (java.sql.Connection c = dataSource().getConnection();
                java.sql.PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM " + table + " WHERE " + column + " = ?")) {
            ps.setString(1, value);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
