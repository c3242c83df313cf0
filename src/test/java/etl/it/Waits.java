package etl.it;

import java.math.BigDecimal;
import java.util.concurrent.Callable;

/** Polls the real system for an end state (NotifyBuilder counts split parts, so the tests look at the result). */
public final class Waits {

    private Waits() {
    }

    public static void until(String what, long timeoutMillis, Callable<Boolean> condition) throws Exception {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < end) {
            if (Boolean.TRUE.equals(condition.call())) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for " + what);
    }

    /** Waits until GET /userEvents/{userId} answers 200 with this revenue. */
    public static void revenue(String userId, String expected, long timeoutMillis) throws Exception {
        BigDecimal want = new BigDecimal(expected);
        String[] last = {""};
        try {
            until("revenue " + expected + " for " + userId, timeoutMillis, () -> {
                Http.Reply r = Http.get(userId);
                last[0] = r.status() + " " + r.body();
                return r.status() == 200 && r.json().get("revenue").decimalValue().compareTo(want) == 0;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last answer: " + last[0]);
        }
    }
}
