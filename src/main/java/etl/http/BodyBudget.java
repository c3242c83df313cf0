package etl.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of request bodies that the API's door holds at once, across every connection ({@link ApiDoor}): a request
 * whose body would take the total over the limit is answered 503 with {@code Retry-After} (the inbox client, and any
 * client that retries 5xx, sends it again), instead of the server holding whatever clients send. Each body is counted
 * from its first buffer until its answer has gone. Forty clients sending 15 MB bodies at once to a server with
 * {@code -Xmx256m} ran it out of memory; a single event sent meanwhile waited 20 s for nothing.
 */
public final class BodyBudget {

    private final long limit;
    private final AtomicLong held = new AtomicLong();

    public BodyBudget(long limit) {
        this.limit = limit;
    }

    /**
     * The limit for a setting: the setting itself, or with 0 an eighth of the heap the JVM may use (a body becomes
     * events while it is applied, several times its size), never less than one body of the largest size.
     */
    public static BodyBudget of(long setting, long maxBodyBytes, long maxHeapBytes) {
        return new BodyBudget(setting > 0 ? setting : Math.max(maxBodyBytes, maxHeapBytes / 8));
    }

    /** Takes {@code n} more bytes if they fit under the limit; false (and nothing taken) when they do not. */
    public boolean take(long n) {
        while (true) {
            long now = held.get();
            if (now + n > limit) {
                return false;
            }
            if (held.compareAndSet(now, now + n)) {
                return true;
            }
        }
    }

    /** Gives back {@code n} bytes taken before. */
    public void give(long n) {
        held.addAndGet(-n);
    }

    public long held() {
        return held.get();
    }

    public long limit() {
        return limit;
    }
}
