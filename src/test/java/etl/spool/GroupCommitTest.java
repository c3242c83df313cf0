package etl.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/**
 * The linger counts from when a group's first item was queued: an item that waited while the last group was being
 * committed (longer than the linger) is committed as soon as the thread is free, not a whole linger later; a lone item
 * still waits the linger for company; where commits are short and the writer says so, the linger is at most a commit's
 * time.
 */
class GroupCommitTest {

    private static final long LINGER_MS = 300;
    private static final long COMMIT_MS = 400;

    /** A group commit of strings, as a route step: the item is the body. */
    private abstract static class OfStrings extends GroupCommit<String, Integer> {
        OfStrings(String name, long lingerMicros, long timeoutMillis) {
            super(name, 1 << 20, lingerMicros, timeoutMillis);
        }

        @Override
        protected long bytes(String item) {
            return item.length();
        }

        @Override
        protected String item(Exchange exchange) {
            return exchange.getMessage().getBody(String.class);
        }
    }

    /** Commits take COMMIT_MS; each group's start (ms since the first submit) and size are noted. */
    private static final class Slow extends OfStrings {
        final List<long[]> groups = new CopyOnWriteArrayList<>();
        final long t0 = System.nanoTime();

        Slow() {
            super("slow", LINGER_MS * 1000, 10_000);
        }

        @Override
        protected Integer commit(int lane, List<String> group) throws InterruptedException {
            groups.add(new long[] {(System.nanoTime() - t0) / 1_000_000, group.size()});
            Thread.sleep(COMMIT_MS);
            return group.size();
        }
    }

    /** Commits take about 1 ms; the linger is at most a commit's time when {@code adaptive}. */
    private static final class Fast extends OfStrings {
        private final boolean adaptive;

        Fast(boolean adaptive) {
            super("fast", LINGER_MS * 1000, 10_000);
            this.adaptive = adaptive;
        }

        @Override
        protected Integer commit(int lane, List<String> group) throws InterruptedException {
            Thread.sleep(1);
            return group.size();
        }

        @Override
        protected long bytes(String item) {
            return item.length();
        }

        @Override
        protected boolean lingerAtMostACommit() {
            return adaptive;
        }

        @Override
        protected String item(Exchange exchange) {
            return exchange.getMessage().getBody(String.class);
        }
    }

    /**
     * Commits wait for {@link #release} (or fail with {@code failWith}); the thread of each commit, and the items of
     * each group, are noted. The timeout is TIMEOUT_MS.
     */
    private static final class Held extends OfStrings {
        static final long TIMEOUT_MS = 200;
        final CountDownLatch release = new CountDownLatch(1);
        final List<List<String>> groups = new CopyOnWriteArrayList<>();
        volatile String committer;
        volatile Exception failWith;

        Held() {
            super("held", 0, TIMEOUT_MS);
        }

        @Override
        protected Integer commit(int lane, List<String> group) throws Exception {
            groups.add(List.copyOf(group));
            committer = Thread.currentThread().getName();
            release.await();
            if (failWith != null) {
                throw failWith;
            }
            return group.size();
        }

        @Override
        protected void committed(Exchange exchange, Integer result) {
            exchange.getMessage().setBody("committed with " + result);
        }
    }

    /** Milliseconds from the submit of a lone item to its answer, after a few groups. */
    private static long loneItemMillis(Fast g) throws Exception {
        g.start();
        try {
            for (int i = 0; i < 2; i++) {
                g.submit("warm" + i); // each alone: the commits' durations are measured
            }
            long t0 = System.nanoTime();
            assertEquals(1, g.submit("lone"));
            return (System.nanoTime() - t0) / 1_000_000;
        } finally {
            g.stop();
        }
    }

    @Test
    void whereCommitsAreShortALoneItemWaitsAboutACommitNotTheWholeLinger() throws Exception {
        long adaptive = loneItemMillis(new Fast(true));
        assertTrue(adaptive < LINGER_MS / 3, "a lone item answered after " + adaptive + " ms");
        long fixed = loneItemMillis(new Fast(false));
        assertTrue(fixed >= LINGER_MS - 5, "without: a lone item answered after " + fixed + " ms");
    }

    @Test
    void anItemThatWaitedOutTheLingerDuringTheLastCommitGoesAtOnce() throws Exception {
        Slow g = new Slow();
        g.start();
        try {
            CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> g.submit("a"));
            Thread.sleep(LINGER_MS + 50); // the first group is being committed now
            CompletableFuture<Integer> second = CompletableFuture.supplyAsync(() -> g.submit("b"));
            CompletableFuture<Integer> third = CompletableFuture.supplyAsync(() -> g.submit("c"));
            assertEquals(1, first.get(5, TimeUnit.SECONDS));
            assertEquals(2, second.get(5, TimeUnit.SECONDS));
            assertEquals(2, third.get(5, TimeUnit.SECONDS));
            assertEquals(2, g.groups.size());
            long firstStart = g.groups.get(0)[0];
            long secondStart = g.groups.get(1)[0];
            // a lone first item waits the linger for company
            assertTrue(firstStart >= LINGER_MS - 5, "the first group started at " + firstStart + " ms");
            // b and c were queued during the first commit, which outlasted the linger: their group starts when the
            // thread is free (about LINGER + COMMIT), not a linger after that
            long free = firstStart + COMMIT_MS;
            assertTrue(secondStart < free + LINGER_MS / 2, "the second group started at " + secondStart
                    + " ms, the thread was free at " + free + " ms");
        } finally {
            g.stop();
        }
    }

    private interface WithHeld {
        void run(Held g) throws Exception;
    }

    /** Runs {@code test} against a started {@link Held}, released and stopped afterwards whatever happens. */
    private static void withHeld(WithHeld test) throws Exception {
        Held g = new Held();
        g.start();
        try {
            test.run(g);
        } finally {
            g.release.countDown();
            g.stop();
        }
    }

    /** A caller of submitAsync is free at once; its future completes once its group is committed, not before. */
    @Test
    void anAsyncSubmitReturnsAtOnceAndCompletesWhenItsGroupIsCommitted() throws Exception {
        withHeld(g -> {
            CompletableFuture<Integer> a = g.submitAsync("a");
            etl.it.Waits.until("a group being committed", 5_000, () -> g.committer != null);
            CompletableFuture<Integer> b = g.submitAsync("b"); // waits for the next group
            assertFalse(a.isDone());
            Thread.sleep(100);
            assertFalse(a.isDone(), "completed while its group was still being committed");
            g.release.countDown();
            assertEquals(1, a.get(5, TimeUnit.SECONDS));
            assertEquals(1, b.get(5, TimeUnit.SECONDS));
            assertEquals(List.of(List.of("a"), List.of("b")), g.groups);
        });
    }

    /**
     * An item the thread has not taken within the timeout is withdrawn: its future fails saying nothing was kept,
     * while the group in hand is still being committed, and it is never committed later. An item already taken waits
     * for its group's outcome however long that takes (answering "nothing was kept" for it could be a lie).
     */
    @Test
    void anItemNotTakenInTimeIsWithdrawnAndOneTakenAwaitsItsCommit() throws Exception {
        withHeld(g -> {
            CompletableFuture<Integer> taken = g.submitAsync("taken");
            etl.it.Waits.until("a group being committed", 5_000, () -> g.committer != null);
            CompletableFuture<Integer> late = g.submitAsync("late");
            long t0 = System.nanoTime();
            ExecutionException e = assertThrows(ExecutionException.class, () -> late.get(5, TimeUnit.SECONDS));
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertInstanceOf(UncheckedIOException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("nothing was kept"), e.getCause().getMessage());
            assertTrue(waited < Held.TIMEOUT_MS * 3, "withdrawn after " + waited + " ms");
            assertFalse(taken.isDone(), "the item taken is still being committed");
            // the synchronous caller is withdrawn the same way
            UncheckedIOException sync = assertThrows(UncheckedIOException.class, () -> g.submit("sync"));
            assertTrue(sync.getMessage().contains("nothing was kept"), sync.getMessage());
            g.release.countDown();
            assertEquals(1, taken.get(5, TimeUnit.SECONDS));
            Thread.sleep(100);
            assertEquals(List.of(List.of("taken")), g.groups, "a withdrawn item was committed");
        });
    }

    /** After stop, a submit fails at once instead of waiting for a thread that is gone. */
    @Test
    void aSubmitAfterStopFailsAtOnce() throws Exception {
        Held g = new Held();
        g.start();
        g.release.countDown();
        g.stop();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> g.submitAsync("x").get(1, TimeUnit.SECONDS));
        assertInstanceOf(UncheckedIOException.class, e.getCause());
        assertThrows(UncheckedIOException.class, () -> g.submit("y"));
    }

    /**
     * As a route step, with {@link GroupCommit#RESUME_ON}: the step returns at once (asynchronous), and the route goes
     * on on the executor given, with the outcome on the exchange, or its failure as the exchange's exception.
     */
    @Test
    void asARouteStepItResumesOnTheExecutorGiven() throws Exception {
        withHeld(g -> {
            try (var camel = new DefaultCamelContext()) {
                Executor resume = task -> new Thread(task, "resumed-here").start();
                Exchange ok = new DefaultExchange(camel);
                ok.getMessage().setBody("ok");
                ok.setProperty(GroupCommit.RESUME_ON, resume);
                CompletableFuture<String> okDone = new CompletableFuture<>();
                boolean sync = g.process(ok, s -> okDone.complete(Thread.currentThread().getName() + " " + s));
                assertFalse(sync, "the step waited for the commit");
                etl.it.Waits.until("a group being committed", 5_000, () -> g.committer != null);
                assertFalse(okDone.isDone());
                g.release.countDown();
                assertEquals("resumed-here false", okDone.get(5, TimeUnit.SECONDS));
                assertEquals("committed with 1", ok.getMessage().getBody());

                g.failWith = new java.io.IOException("disk gone");
                Exchange failed = new DefaultExchange(camel);
                failed.getMessage().setBody("failed");
                failed.setProperty(GroupCommit.RESUME_ON, resume);
                CompletableFuture<String> failedDone = new CompletableFuture<>();
                assertFalse(g.process(failed, s -> failedDone.complete(Thread.currentThread().getName())));
                assertEquals("resumed-here", failedDone.get(5, TimeUnit.SECONDS));
                assertInstanceOf(UncheckedIOException.class, failed.getException());
                assertTrue(failed.getException().getMessage().contains("disk gone"), failed.getException().getMessage());
                assertEquals("failed", failed.getMessage().getBody());
            }
        });
    }

    /** Without {@link GroupCommit#RESUME_ON} (a job's route, the inbox), the step waits for its group, as before. */
    @Test
    void asARouteStepWithoutAnExecutorItWaits() throws Exception {
        Held g = new Held();
        g.release.countDown();
        g.start();
        var camel = new DefaultCamelContext();
        try {
            Exchange e = new DefaultExchange(camel);
            e.getMessage().setBody("x");
            AtomicBoolean calledSync = new AtomicBoolean();
            assertTrue(g.process(e, calledSync::set));
            assertTrue(calledSync.get());
            assertEquals("committed with 1", e.getMessage().getBody());
            assertEquals("held", g.committer);
        } finally {
            g.stop();
            camel.close();
        }
    }
}
