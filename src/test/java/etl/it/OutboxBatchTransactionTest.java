package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.stream.Stream;

import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.api.management.mbean.ManagedRouteMBean;
import org.junit.jupiter.api.Test;

/**
 * The processor's transaction, as Camel's own SqlTransactedRouteTest tries one: a failure after the batch has claimed
 * its Idempotency-Keys and marked its files (the UPSERT fails) keeps nothing of the batch: no key, no file mark, no
 * total, and the file stays in the outbox. Once the failure is gone, the request is applied once.
 */
class OutboxBatchTransactionTest extends SystemTestBase {

    private static long count(Connection c, String sql, String param) throws Exception {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, param);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The outbox file (not yet applied) that holds {@code text}, or null. */
    private static String outboxFileHolding(String text) throws Exception {
        try (Stream<java.nio.file.Path> files = Files.list(outbox())) {
            for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
                if (Files.readString(f).contains(text)) {
                    return f.getFileName().toString();
                }
            }
        }
        return null;
    }

    @Test
    void aFailureAfterTheKeyClaimsKeepsNothingOfTheBatch() throws Exception {
        failTheBatchThroughTable("users_revenue"); // the UPSERT, after the claims and the file marks
    }

    @Test
    void aFailureInsideAFileKeepsNothingOfTheBatch() throws Exception {
        failTheBatchThroughTable("idempotency_keys"); // the key claim, inside the split of a file's requests
    }

    private void failTheBatchThroughTable(String table) throws Exception {
        String u = user("tx");
        String key = "tx-" + u;
        try (Connection c = dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE " + table + " RENAME TO " + table + "_away");
            try {
                ManagedRouteMBean batch = context.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class)
                        .getManagedRoute("outbox-batch");
                long failuresBefore = batch.getExchangesFailed();
                assertEquals(200, Http.post("{\"userId\":\"" + u + "\",\"name\":\"add_revenue\",\"value\":5}", AUTH,
                        TOKEN, "Idempotency-Key", key).status());
                // the polling route takes the file at its next polls, and each batch fails at its UPSERT. Two failures
                // after the 200: the second batch listed the outbox after the file was there. (Five looks within 15 s
                // was the wait before: the backoff between failing batches doubles, 0.5 + 1 + 2 + 4 + 8 s, and the
                // test failed whenever it ran first in its JVM.)
                Waits.until("two failed batches", 30_000, () -> batch.getExchangesFailed() >= failuresBefore + 2);
                assertTrue(batch.getExchangesFailed() > failuresBefore, "the batch never failed");
                assertEquals(0, count(c, "SELECT count(*) FROM " + (table.equals("idempotency_keys")
                        ? "idempotency_keys_away" : "idempotency_keys") + " WHERE idempotency_key = ?", key),
                        "the key claim was kept");
                String file = outboxFileHolding(key);
                assertTrue(file != null, "the file left the outbox");
                assertEquals(0, count(c, "SELECT count(*) FROM camel_messageprocessed WHERE messageId = ?", file),
                        "the file's mark was kept");
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + (table.equals("users_revenue")
                        ? "users_revenue_away" : "users_revenue") + " WHERE user_id = '" + u + "'")) {
                    rs.next();
                    assertEquals(0, rs.getLong(1));
                }
            } finally {
                st.execute("ALTER TABLE " + table + "_away RENAME TO " + table);
            }
            Waits.revenue(u, "5", 40_000);
            assertEquals(1, count(c, "SELECT count(*) FROM idempotency_keys WHERE idempotency_key = ?", key));
            Waits.until("the file moved", 5000, () -> outboxFileHolding(key) == null);
        }
    }
}
