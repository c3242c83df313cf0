package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;

/**
 * The embedded PostgreSQL is as durable as a production one: zonky starts it with fsync off and asynchronous commit,
 * and a kill -9 of the server then lost committed batches whose files had already left the outbox.
 */
class DatabaseDurabilityTest extends SystemTestBase {

    private String show(String setting) throws Exception {
        try (Connection c = dataSource().getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void commitsAreForcedToDisk() throws Exception {
        assertEquals("on", show("fsync"));
        assertEquals("on", show("synchronous_commit"));
        assertEquals("on", show("full_page_writes"));
    }

    @Test
    void theWalBufferHoldsALargeBatchsCopy() throws Exception {
        // the embedded server's own (etl.db.Database says why): initdb's default would be 4MB
        assertEquals("16MB", show("wal_buffers"));
    }

    @Test
    void textIsStoredAsUtf8() throws Exception {
        // user ids are any Unicode: a database in another encoding would refuse or merge them
        assertEquals("UTF8", show("server_encoding"));
    }
}
