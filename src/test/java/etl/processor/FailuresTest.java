package etl.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;

class FailuresTest {

    @Test
    void dataErrorsAreForGoodConnectionErrorsPass() {
        assertTrue(Failures.refusedForGood(new DataIntegrityViolationException("x",
                new SQLException("ERROR: numeric field overflow", "22003"))));
        assertTrue(Failures.refusedForGood(new SQLException("command cannot affect row a second time", "21000")));
        assertFalse(Failures.refusedForGood(new SQLException("connection refused", "08001")));
        assertFalse(Failures.refusedForGood(new SQLException("terminating connection", "57P01")));
        assertFalse(Failures.refusedForGood(new SQLTransientConnectionException("pool timeout")));
        assertFalse(Failures.refusedForGood(new RuntimeException("no SQL at all")));
    }

    @Test
    void theCauseOfAnAbortedTransactionDecides() {
        SQLException aborted = new SQLException("current transaction is aborted", "25P02");
        aborted.setNextException(new SQLException("numeric field overflow", "22003"));
        assertTrue(Failures.refusedForGood(new RuntimeException(aborted)));
        assertFalse(Failures.refusedForGood(new SQLException("current transaction is aborted", "25P02")));
    }

    @Test
    void anotherTransactionsWorkOnTheSameRowsIsConcurrentNotADataError() {
        // the MERGE of ApplyTotals meeting another batch: a unique violation (both inserted one new user), a deadlock
        assertTrue(Failures.concurrent(new RuntimeException(new SQLException("duplicate key value", "23505"))));
        assertTrue(Failures.concurrent(new SQLException("deadlock detected", "40P01")));
        // what must still fail the batch: a total out of range, a MERGE naming one user twice, a lost connection
        assertFalse(Failures.concurrent(new SQLException("numeric field overflow", "22003")));
        assertFalse(Failures.concurrent(new SQLException("MERGE command cannot affect row a second time", "21000")));
        assertFalse(Failures.concurrent(new SQLException("connection refused", "08001")));
        assertFalse(Failures.concurrent(new RuntimeException("no SQL at all")));
    }

    @Test
    void theReasonIsTheDatabasesFirstLine() {
        assertEquals("ERROR: numeric field overflow (SQLSTATE 22003)", Failures.reason(new RuntimeException(
                new SQLException("ERROR: numeric field overflow\n  Detail: A field with precision 20", "22003"))));
    }
}
