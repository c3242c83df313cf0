package etl.http;

import java.math.BigDecimal;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The answers of route {@code http-query} and of the catch-all route {@code http-not-found}. The user id is in header
 * {@code userId} (set by {@link PathUserId}), the total in header {@link #REVENUE} (set by the SQL query).
 */
public final class QuerySteps {

    public static final String REVENUE = "etlRevenue";

    private QuerySteps() {
    }

    /** 200 {@code {"userId", "revenue"}}. */
    public static final class Revenue implements Processor {
        @Override
        public void process(Exchange e) {
            String user = e.getMessage().getHeader("userId", String.class);
            BigDecimal revenue = e.getMessage().getHeader(REVENUE, BigDecimal.class);
            HttpReply.send(e, 200, Json.revenue(user, revenue));
        }
    }

    /** 404: nothing applied yet for the user. */
    public static final class NoUser implements Processor {
        @Override
        public void process(Exchange e) {
            String user = e.getMessage().getHeader("userId", String.class);
            HttpReply.send(e, 404, Json.error("no event applied yet for user " + user));
        }
    }

    /** 400: why the path is not a user id ({@link PathUserId#INVALID}). */
    public static final class BadPath implements Processor {
        @Override
        public void process(Exchange e) {
            String why = e.getMessage().getHeader(PathUserId.INVALID, String.class);
            HttpReply.send(e, 400, Json.error(why));
        }
    }

    /** 404 for any other path or method. */
    public static final class NoSuchResource implements Processor {
        @Override
        public void process(Exchange e) {
            String what = e.getMessage().getHeader(Exchange.HTTP_METHOD) + " " + e.getMessage().getHeader(Exchange.HTTP_PATH);
            HttpReply.send(e, 404, Json.error("no such resource: " + what));
        }
    }
}
