package etl.http;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import etl.io.Utf8;

/**
 * {@code GET /userEvents?limit=&after=} (route {@code http-list}): every total in user order, a page at a time. The
 * cursor is the last user id of the page, base64url-encoded (opaque to clients, safe in a query string whatever the
 * id holds); the next page starts after it by a range scan of the primary key, so page 10,000 costs what page 1 costs.
 * Headers: {@link #AFTER} and {@link #LIMIT} (the SQL's parameters), {@link HttpReply#INVALID_FIELD} when a parameter
 * is refused.
 */
public final class ListingSteps {

    public static final String AFTER = "etlAfter";
    /** One more than the page size: the extra row says that a next page exists. */
    public static final String LIMIT = "etlLimit";
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    private ListingSteps() {
    }

    /**
     * True for {@code /userEvents/} (a user id left empty): platform-http, like Vert.x, takes it for this route's
     * path, but it is no resource (404, as before the listing existed).
     */
    public static final class NotTheListing implements org.apache.camel.Predicate {
        @Override
        public boolean matches(Exchange e) {
            return e.getMessage() instanceof org.apache.camel.component.platform.http.vertx.HttpMessage http
                    && http.getRequest() != null && !"/userEvents".equals(http.getRequest().path());
        }
    }

    /**
     * The page size of query parameter {@code limit} (the default when absent), or -1 when it is refused (the exchange
     * then says why, {@link HttpReply#refuseField}). Removes the parameters {@code limit} and {@code after} from the
     * headers, where platform-http put them.
     */
    public static int limit(Exchange e, int defaultLimit, int max) {
        var m = e.getMessage();
        String limit = m.getHeader("limit", String.class);
        m.removeHeaders("limit|after");
        if (limit == null) {
            return defaultLimit;
        }
        int size;
        try {
            size = Integer.parseInt(limit.trim());
        } catch (NumberFormatException ex) {
            size = -1;
        }
        if (size < 1 || size > max) {
            HttpReply.refuseField(e, "limit", "limit must be a whole number from 1 to " + max);
            return -1;
        }
        return size;
    }

    /** Refuses query parameter {@code after}: not a cursor of this API's. */
    public static void refuseCursor(Exchange e) {
        HttpReply.refuseField(e, "after", "after is not a cursor this API gave (take \"next\" of the previous page)");
    }

    /** Reads {@code limit} and {@code after} from the query string. */
    public static final class Page implements Processor {
        @Override
        public void process(Exchange e) {
            var m = e.getMessage();
            String after = m.getHeader("after", String.class);
            int size = limit(e, DEFAULT_LIMIT, MAX_LIMIT);
            if (size < 0) {
                return;
            }
            String from = "";
            if (after != null && !after.isEmpty()) {
                from = decode(after);
                if (from == null) {
                    refuseCursor(e);
                    return;
                }
            }
            m.setHeader(AFTER, from);
            m.setHeader(LIMIT, size + 1);
        }

    }

    /** 200 {@code {"items": [{"userId", "revenue"}, …], "next": cursor or null}} from the rows of list-totals.sql. */
    public static final class Reply implements Processor {
        @Override
        public void process(Exchange e) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> rows = e.getMessage().getBody(List.class);
            int limit = e.getMessage().getHeader(LIMIT, Integer.class) - 1;
            List<Map<String, Object>> items = new ArrayList<>(Math.min(rows.size(), limit));
            for (int i = 0; i < rows.size() && i < limit; i++) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("userId", rows.get(i).get("user_id"));
                item.put("revenue", Json.plain((BigDecimal) rows.get(i).get("revenue")));
                items.add(item);
            }
            String next = rows.size() > limit ? encode((String) items.get(limit - 1).get("userId")) : null;
            Map<String, Object> page = new LinkedHashMap<>();
            page.put("items", items);
            page.put("next", next);
            HttpReply.send(e, 200, Json.write(page));
        }
    }

    static String encode(String userId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(userId.getBytes(StandardCharsets.UTF_8));
    }

    /** The user id of a cursor, or null when it is not one (not base64url, not UTF-8, empty, too long, NUL). */
    static String decode(String cursor) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(cursor);
        } catch (IllegalArgumentException e) {
            return null;
        }
        try {
            String id = Utf8.decode(raw, 0, raw.length);
            return id.isEmpty() || id.length() > 255 || id.indexOf('\0') >= 0 ? null : id;
        } catch (Utf8.InvalidException e) {
            return null;
        }
    }
}
