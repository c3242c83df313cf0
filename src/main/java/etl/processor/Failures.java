package etl.processor;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Tells a request the database refuses for good from a failure that passes. PostgreSQL's SQLSTATE classes 21
 * (cardinality), 22 (data exception: a total out of NUMERIC(20,2), say) and 23 (integrity constraint) are caused by
 * the data: the same request fails the same way every time, and retrying it would stall every request behind it.
 * Everything else (08 connection, 57 shutdown, 53 resources, 40 rollback, a pool timeout, our own bug) is retried with
 * backoff.
 */
public final class Failures {

    private Failures() {
    }

    /** Every SQLException in the chain of causes, with the driver's chained "next" exceptions. */
    static List<SQLException> sqlExceptions(Throwable t) {
        List<SQLException> all = new ArrayList<>();
        for (Throwable c = t; c != null && all.size() < 20; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SQLException s) {
                for (SQLException n = s; n != null && all.size() < 20; n = n.getNextException()) {
                    all.add(n);
                }
            }
        }
        return all;
    }

    /**
     * True when any statement of the chain was refused for its data. A later statement of the same transaction may
     * report only "current transaction is aborted" (25P02); the data error that caused it still decides.
     */
    public static boolean refusedForGood(Throwable t) {
        for (SQLException s : sqlExceptions(t)) {
            String state = s.getSQLState();
            if (state != null && (state.startsWith("21") || state.startsWith("22") || state.startsWith("23"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when {@code t} comes from another transaction's work on the same rows: a unique violation (both inserted
     * one key) or a deadlock. Trying again in a way that waits for the other (ON CONFLICT) succeeds.
     */
    public static boolean concurrent(Throwable t) {
        for (SQLException s : sqlExceptions(t)) {
            if ("23505".equals(s.getSQLState()) || "40P01".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** The database's own words, without the driver's "Where:"/"Position:" lines. */
    public static String reason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SQLException s) {
                String m = String.valueOf(s.getMessage());
                int nl = m.indexOf('\n');
                return (nl > 0 ? m.substring(0, nl) : m).trim() + " (SQLSTATE " + s.getSQLState() + ")";
            }
        }
        String m = String.valueOf(t.getMessage());
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }
}
