package etl.processor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import etl.jobs.Sql;

/**
 * Finishes the halves of batches that stayed prepared (route {@code batch-halves}, every
 * {@code etl.processor.halves-check-ms}, in every processor): {@link ApplyTotals} prepares the second half of a large
 * batch and commits or rolls it back as soon as the batch's transaction has ended; a process killed, or cut off from
 * the database, in between leaves the half prepared, holding its users' rows. Its id's row in {@code batch_halves},
 * written in the batch's transaction before the half was prepared, says what the batch did: inserting the id again
 * waits for that transaction if it is still running, then inserts nothing when it committed (the half is committed)
 * and a row when it rolled back or died (the half is rolled back). Either way the row is then deleted.
 */
public final class PreparedHalves implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(PreparedHalves.class);
    private static final String PREPARED = Sql.text("halves-prepared.sql");
    private static final String OUTCOME = Sql.text("half-outcome.sql");
    private static final String FORGET = Sql.text("half-forget.sql");
    /** SQLSTATE of COMMIT/ROLLBACK PREPARED for an id no longer prepared (finished by someone else meanwhile). */
    private static final String UNDEFINED_OBJECT = "42704";

    private final DataSource dataSource;
    private final int minAgeSeconds;

    /** {@code minAgeSeconds}: halves prepared more recently are left to the process that prepared them. */
    public PreparedHalves(DataSource dataSource, int minAgeSeconds) {
        this.dataSource = dataSource;
        this.minAgeSeconds = minAgeSeconds;
    }

    @Override
    public void process(Exchange exchange) throws SQLException {
        int finished = finishAll();
        if (finished > 0) {
            LOG.info("Finished {} batch halves left prepared (their process stopped between its batch and the half)",
                    finished);
        }
    }

    /** Finishes every half prepared longer than the minimum age; how many. */
    public int finishAll() throws SQLException {
        List<String> gids = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(PREPARED)) {
            ps.setInt(1, minAgeSeconds);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    gids.add(rs.getString(1));
                }
            }
        }
        int finished = 0;
        for (String gid : gids) {
            boolean committed;
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                try (PreparedStatement ps = c.prepareStatement(OUTCOME)) {
                    ps.setString(1, gid);
                    committed = ps.executeUpdate() == 0;
                }
            }
            LOG.warn("Batch half {} was left prepared; its batch {}: {}", gid,
                    committed ? "committed" : "did not commit", committed ? "committing it" : "rolling it back");
            finish(dataSource, gid, committed);
            finished++;
        }
        return finished;
    }

    /**
     * Commits ({@code committed}) or rolls back the prepared half {@code gid}, then forgets its id; a half that is no
     * longer prepared (finished by its process or another processor meanwhile) is only forgotten.
     */
    static void finish(DataSource dataSource, String gid, boolean committed) throws SQLException {
        if (!gid.matches(ApplyTotals.HALF_PREFIX + "[0-9a-f]{32}")) {
            throw new IllegalArgumentException("not a batch half's id: " + gid);
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.execute((committed ? "COMMIT PREPARED '" : "ROLLBACK PREPARED '") + gid + "'");
            } catch (SQLException e) {
                if (!UNDEFINED_OBJECT.equals(e.getSQLState())) {
                    throw e;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(FORGET)) {
                ps.setString(1, gid);
                ps.executeUpdate();
            }
        }
    }
}
