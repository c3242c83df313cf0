package etl.processor;

import javax.sql.DataSource;

import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The record of applied outbox files: camel-sql's JdbcMessageIdRepository, whose {@code add} claims a name with one
 * statement and believes its answer.
 * <p>
 * Camel's own {@code add} (4.18) first counts the name, then inserts it and answers "new" whatever the insert did.
 * Two processors that take the same file at once both count 0; the second one's insert waits for the first one's
 * transaction and, with our "ON CONFLICT DO NOTHING", inserts nothing once that commits, yet Camel answered "new"
 * and the second processor applied the file again: an unkeyed request counted twice. Here the name is new only if
 * this insert put it there ({@code INSERT … ON CONFLICT DO NOTHING} reports 1 row), which is also one database round
 * trip per file instead of two.
 */
public class AppliedFiles extends JdbcMessageIdRepository {

    public AppliedFiles(DataSource dataSource, TransactionTemplate transactions, String processorName) {
        super(dataSource, transactions, processorName);
        setCreateTableIfNotExists(false);
        setInsertString("INSERT INTO camel_messageprocessed (processorName, messageId, createdAt)"
                + " VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
    }

    @Override
    public boolean add(String key) {
        return Boolean.TRUE.equals(transactionTemplate.execute(status -> insert(key) == 1));
    }
}
