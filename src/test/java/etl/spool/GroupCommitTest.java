package etl.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

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

    /** Commits take COMMIT_MS; each group's start (ms since the first submit) and size are noted. */
    private static final class Slow extends GroupCommit<String, Integer> {
        final List<long[]> groups = new CopyOnWriteArrayList<>();
        final long t0 = System.nanoTime();

        Slow() {
            super("slow", 1 << 20, LINGER_MS * 1000, 10_000);
        }

        @Override
        protected Integer commit(int lane, List<String> group) throws InterruptedException {
            groups.add(new long[] {(System.nanoTime() - t0) / 1_000_000, group.size()});
            Thread.sleep(COMMIT_MS);
            return group.size();
        }

        @Override
        protected long bytes(String item) {
            return item.length();
        }
    }

    /** Commits take about 1 ms; the linger is at most a commit's time when {@code adaptive}. */
    private static final class Fast extends GroupCommit<String, Integer> {
        private final boolean adaptive;

        Fast(boolean adaptive) {
            super("fast", 1 << 20, LINGER_MS * 1000, 10_000);
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
}
