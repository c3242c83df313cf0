package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** Files dropped into inbox/: the client reads them line by line and sends the valid events to the server. */
class InboxTest extends SystemTestBase {

    /** Writes a file elsewhere and moves it into the inbox, as the contract asks of whoever drops files. */
    static Path drop(String name, String content) throws Exception {
        Path tmp = Files.createTempFile(Path.of("target"), "drop", ".part");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.createDirectories(inbox());
        return Files.move(tmp, inbox().resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    static String ev(String user, String name, String value) {
        return "{\"userId\":\"" + user + "\",\"name\":\"" + name + "\",\"value\":" + value + "}";
    }

    @Test
    void goodAndBadLinesGiveExactTotalsAndAQuarantineWithLineNumbers() throws Exception {
        String a = user("inA");
        String b = user("inB");
        String name = "mixed-" + a + ".jsonl";
        String content = String.join("\n",
                ev(a, "add_revenue", "100"),                               // 1
                "{not json",                                                // 2 bad JSON
                "{\"name\":\"add_revenue\",\"value\":5}",                   // 3 missing userId
                ev("", "add_revenue", "5"),                                 // 4 empty userId
                ev(a, "add_revenue", "\"5\""),                              // 5 value as a string
                ev(a, "add_revenue", "-5"),                                 // 6 negative
                ev(a, "add_revenue", "1.005"),                              // 7 three decimals
                ev(a, "refund", "5"),                                       // 8 unknown name
                "",                                                         // 9 blank: skipped
                ev(b, "add_revenue", "0.1") + "\r",                         // 10 CRLF
                ev(b, "add_revenue", "0.2") + "\r",                         // 11 CRLF
                ev(a, "subtract_revenue", "30.5"),                          // 12
                ev(b, "subtract_revenue", "1"));                            // 13 last line, no newline
        drop(name, content);

        Waits.until("the file in .done", 10000, () -> Files.exists(inbox().resolve(".done").resolve(name)));
        Waits.revenue(a, "69.5", 5000);
        Waits.revenue(b, "-0.7", 5000);

        List<String> rejected = Files.readAllLines(inbox().resolve(".rejected").resolve(name + ".rejected.jsonl"));
        assertEquals(7, rejected.size(), String.join("\n", rejected));
        int[] lines = {2, 3, 4, 5, 6, 7, 8};
        for (int i = 0; i < lines.length; i++) {
            JsonNode r = Http.JSON.readTree(rejected.get(i));
            assertEquals(lines[i], r.get("line").asInt(), rejected.get(i));
            assertFalse(r.get("reason").asText().isBlank());
            assertTrue(r.has("raw"));
        }
    }

    @Test
    void sameContentDroppedAgainUnderAnotherNameIsAppliedOnce() throws Exception {
        String u = user("again");
        String content = ev(u, "add_revenue", "5") + "\n" + ev(u, "add_revenue", "2.5") + "\n";
        drop("first-" + u + ".jsonl", content);
        Waits.until("first in .done", 10000, () -> Files.exists(inbox().resolve(".done/first-" + u + ".jsonl")));
        Waits.revenue(u, "7.5", 5000);
        drop("second-" + u + ".jsonl", content);
        Waits.until("second in .done", 10000, () -> Files.exists(inbox().resolve(".done/second-" + u + ".jsonl")));
        awaitProcessorPolls();
        Waits.revenue(u, "7.5", 1000);
    }

    @Test
    void manyChunksOfALargerFileAreAllApplied() throws Exception {
        String u = user("chunks");
        StringBuilder sb = new StringBuilder();
        long expectedCents = 0;
        for (int i = 0; i < 12_345; i++) {
            int cents = (i * 37) % 100_000;
            boolean add = i % 3 != 0;
            expectedCents += add ? cents : -cents;
            sb.append(ev(u + "-" + (i % 50), add ? "add_revenue" : "subtract_revenue",
                    (cents / 100) + "." + String.format("%02d", cents % 100))).append('\n');
        }
        String name = "large-" + u + ".jsonl";
        drop(name, sb.toString());
        Waits.until("large file in .done", 30000, () -> Files.exists(inbox().resolve(".done").resolve(name)));
        long want = expectedCents;
        Waits.until("all 50 users applied", 10000,
                () -> sumOfUsers(u + "-%").movePointRight(2).longValueExact() == want);
    }

    private java.math.BigDecimal sumOfUsers(String pattern) throws Exception {
        try (Connection c = dataSource().getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT COALESCE(SUM(revenue), 0) FROM users_revenue WHERE user_id LIKE '"
                        + pattern + "'")) {
            rs.next();
            return rs.getBigDecimal(1);
        }
    }
}
