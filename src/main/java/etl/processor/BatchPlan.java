package etl.processor;

import java.util.List;

/**
 * What one transaction of the processor takes, decided by {@link StartBatch} before it starts: the outbox files,
 * oldest first, as listed once; whether the listing was full (more are probably waiting); whether they are applied one
 * request at a time (a request the database refuses for good is among them); and when it started. Header
 * {@link BatchSteps#PLAN} of the processor's routes.
 * <p>
 * Each listed file is then taken ({@link #take}) while the batch's sums hold less than {@code maxHeldBytes}: a batch's
 * memory is one sum per distinct user of its files, which the number of files does not bound. The sums' size comes
 * from Camel's aggregation of the files ({@link SumFiles} reports it after each file, {@link #held}, before the next
 * file is asked for), so a batch holds at most its bound and the users of the file that crossed it. Once a file is
 * left, every later one is left too: of two requests with one Idempotency-Key, the first spooled must be applied
 * first. The files taken ({@link #taken}) leave the outbox after the commit; the
 * others were not opened nor claimed, and the next batch takes them at once ({@link #full}).
 * <p>
 * The plan also holds the batch's running sums per user ({@link #table}): every {@link UserSums} that Camel's
 * aggregation makes for this batch adds its requests' events there as each request comes out of the file's split, so
 * that the batch's thread sums a request while the reader thread reads the next ones (summed at the end of each file,
 * the two threads took turns: a file's reading, then its sums, then the next file's reading).
 */
public final class BatchPlan {

    private final List<String> files;
    private final boolean full;
    private final boolean isolated;
    private final long startedNanos;
    private final long maxHeldBytes;
    private int taken;
    private boolean left;
    private long held;
    private final UserTable table = new UserTable();

    /**
     * {@code maxHeldBytes}: no file is taken once the batch's sums hold this many bytes (the first always is);
     * {@code Long.MAX_VALUE}: every file is.
     */
    public BatchPlan(List<String> files, boolean full, boolean isolated, long startedNanos, long maxHeldBytes) {
        this.files = List.copyOf(files);
        this.full = full;
        this.isolated = isolated;
        this.startedNanos = startedNanos;
        this.maxHeldBytes = maxHeldBytes;
    }

    /** The batch's sums per user, which its {@link UserSums} share ({@link UserSums#UserSums(UserTable)}). */
    UserTable table() {
        return table;
    }

    /** The files listed for this batch, oldest first. */
    public List<String> files() {
        return files;
    }

    /**
     * Whether the batch takes {@code file}, the next of its listing: yes while its sums hold less than the bound (and
     * the first file whatever they hold), no from the first file left on.
     */
    public synchronized boolean take(String file) {
        if (left || taken >= files.size() || !files.get(taken).equals(file)) {
            left = true; // (a file out of the listing's order is never taken, nor any after it)
            return false;
        }
        if (taken > 0 && held >= maxHeldBytes) {
            left = true;
            return false;
        }
        taken++;
        return true;
    }

    /** The files the batch took: to move out of the outbox once its transaction has committed. */
    public synchronized List<String> taken() {
        return files.subList(0, taken);
    }

    /** True when more files are probably waiting: the listing was full, or the batch left some of it. */
    public boolean full() {
        return full || cut();
    }

    /** True when the batch left files of its listing, its sums holding their bound. */
    public synchronized boolean cut() {
        return left;
    }

    public boolean isolated() {
        return isolated;
    }

    public long startedNanos() {
        return startedNanos;
    }

    /** The first file of the listing, or null. */
    public String first() {
        return files.isEmpty() ? null : files.get(0);
    }

    /** What the batch's sums hold now (an estimate, in bytes: {@link UserSums#heldBytes}). */
    public synchronized void held(long bytes) {
        held = bytes;
    }

    @Override
    public synchronized String toString() {
        return "BatchPlan" + files + (isolated ? " isolated" : "") + " taken " + taken;
    }
}
