package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.camel.spi.IdempotentRepository;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Two processors that take the same outbox file at once: the second one's claim of the file's name waits for the
 * first one's transaction and, once that commits, must answer "applied before". Camel's stock add() answered "new"
 * here (it counts first, and ignores what its insert did), and the second processor applied the file again.
 */
class AppliedFilesTest extends SystemTestBase {

    @Test
    void aNameClaimedByAnotherTransactionMeanwhileIsADuplicate() throws Exception {
        IdempotentRepository files = context.getRegistry().lookupByNameAndType("appliedFiles", IdempotentRepository.class);
        TransactionTemplate tx = new TransactionTemplate(context.getRegistry()
                .findSingleByType(DataSourceTransactionManager.class));
        String name = "0000000000000-claim-" + user("f") + ".jsonl";
        CountDownLatch claimed = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(() -> tx.execute(s -> {
            boolean added = files.add(name);
            claimed.countDown();
            try {
                commit.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return added;
        }));
        assertTrue(claimed.await(10, TimeUnit.SECONDS));
        CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> tx.execute(s -> files.add(name)));
        Thread.sleep(300); // the second claim is waiting on the first transaction's row now
        assertFalse(second.isDone(), "the second claim did not wait for the first transaction");
        commit.countDown();
        assertTrue(first.get(10, TimeUnit.SECONDS), "the first claim of a new name");
        assertFalse(second.get(10, TimeUnit.SECONDS), "a name claimed and committed meanwhile was answered as new");
        // and one that was never claimed is new, once
        String other = name.replace("claim", "other");
        assertEquals(Boolean.TRUE, tx.execute(s -> files.add(other)));
        assertEquals(Boolean.FALSE, tx.execute(s -> files.add(other)));
    }
}
