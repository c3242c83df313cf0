package etl.processor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import javax.sql.DataSource;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

import etl.spool.SpoolRecord;

/**
 * Applies one spooled request (the body, its {@link SpoolRecord}) on its own, inside the batch's transaction, in a
 * savepoint (Spring's nested propagation): its Idempotency-Key is claimed and its per-user sums upserted, or, when the
 * database refuses it for good (a total out of NUMERIC(20,2), say), the savepoint is rolled back, the request set
 * aside whole, and the batch goes on. The body becomes the request's {@link UserSums}: applied alone, a repeat, or set
 * aside. Used only while the processor isolates a batch that failed that way; the usual path sums a whole batch and
 * applies it once. The SQL is the batch's own ({@code sql/claim-key.sql}, {@link ApplyTotals}), its Camel
 * parameters {@code :#name} read as Spring's {@code :name}.
 */
public final class IsolatedApply implements Processor {

    private final TransactionTemplate savepoint;
    private final NamedParameterJdbcTemplate jdbc;
    private final String claimKey;

    public IsolatedApply(DataSource dataSource, PlatformTransactionManager transactions) {
        this.savepoint = new TransactionTemplate(transactions);
        this.savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.claimKey = sql("sql/claim-key.sql");
    }

    private static String sql(String resource) {
        try (InputStream in = IsolatedApply.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace(":#", ":");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void process(Exchange exchange) {
        SpoolRecord record = exchange.getMessage().getBody(SpoolRecord.class);
        UserSums result;
        try {
            Boolean applied = savepoint.execute(status -> apply(record));
            result = Boolean.TRUE.equals(applied) ? UserSums.alone(record) : UserSums.repeated(record);
        } catch (DataAccessException | TransactionException e) {
            if (!Failures.refusedForGood(e)) {
                throw e;
            }
            // the request in the spool's JSON form (the same events, the same key), for whoever reads .rejected/
            byte[] line = SpoolRecord.jsonLine(record.key(), record.events());
            result = UserSums.setAside(exchange.getMessage().getHeader(BatchSteps.FILE, String.class),
                    BatchSteps.lineNumber(exchange), record,
                    new String(line, 0, line.length - 1, StandardCharsets.UTF_8), Failures.reason(e));
        }
        exchange.getMessage().setBody(result);
    }

    /** Claims the key (false: applied before) and upserts the request's sums, in user order. */
    private boolean apply(SpoolRecord record) {
        if (record.key() != null && jdbc.update(claimKey, Map.of("etlKey", record.key(),
                "etlEvents", record.events().size())) == 0) {
            return false;
        }
        UserSums one = new UserSums().add(record);
        // on the transaction's connection, in this request's savepoint; a refusal comes back as a DataAccessException
        jdbc.getJdbcTemplate().execute((ConnectionCallback<Boolean>) c -> ApplyTotals.apply(c, one.users(),
                one.amounts()));
        return true;
    }
}
