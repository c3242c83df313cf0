package etl.jobs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import javax.sql.DataSource;

/**
 * A running job's progress (job-progress.sql), which is also its heartbeat: each update renews the lease. It runs on a
 * connection of its own, in its own transaction, whatever transaction the job's work holds.
 */
public final class JobProgress {

    private final DataSource dataSource;
    private final JobSettings settings;
    private final String sql = Sql.text("job-progress.sql");

    public JobProgress(DataSource dataSource, JobSettings settings) {
        this.dataSource = dataSource;
        this.settings = settings;
    }

    /** The job was deleted or taken over by another process while this one ran it: this run stops, quietly. */
    public static final class JobLost extends RuntimeException {
        public JobLost(String id) {
            super("job " + id + " was deleted or taken over by another process; this run stops", null, false, false);
        }
    }

    /** Records done of total (and the result so far, JSON, or null), renews the lease; throws JobLost. */
    public void update(String id, long done, long total, String result) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, done);
            ps.setLong(2, total);
            ps.setString(3, result);
            ps.setLong(4, settings.leaseMillis());
            ps.setString(5, id);
            ps.setString(6, settings.owner());
            if (ps.executeUpdate() == 0) {
                throw new JobLost(id);
            }
        }
    }
}
