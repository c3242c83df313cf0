package etl.http;

import java.io.ByteArrayOutputStream;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

import etl.event.EventValidator;
import etl.io.Utf8;

/**
 * {@code GET /userEvents/{userId}}: the user id, decoded from the request's own path. platform-http puts the path
 * parameter, query parameters and request headers of the same name into one message header: {@code ?userId=x} or a
 * {@code userId: x} header turned it into a list and the query into a 500. Sets header {@code userId} to the decoded
 * id; or {@link #INVALID} to why the path is not a user id (400); or {@link #NONE} when no user can have that id (a
 * NUL, more than 255 characters: 404 without asking the database, which refuses a NUL).
 */
public final class PathUserId implements Processor {

    public static final String INVALID = "etlPathInvalid";
    public static final String NONE = "etlNoSuchUser";
    private static final String PREFIX = "/userEvents/";

    @Override
    public void process(Exchange exchange) {
        Message m = exchange.getMessage();
        m.removeHeader(INVALID);
        m.removeHeader(NONE);
        if (!(m instanceof HttpMessage http) || http.getRequest() == null) {
            return; // not over HTTP: the path parameter stands
        }
        String path = http.getRequest().path();
        int at = path.indexOf(PREFIX);
        String raw = at < 0 ? "" : path.substring(at + PREFIX.length());
        m.removeHeader("userId");
        String id;
        try {
            id = decode(raw);
        } catch (IllegalArgumentException e) {
            m.setHeader(INVALID, "the user id in the path is " + e.getMessage());
            return;
        }
        m.setHeader("userId", id);
        if (id.isEmpty() || id.indexOf('\u0000') >= 0
                || id.codePointCount(0, id.length()) > EventValidator.MAX_USER_ID_LENGTH) {
            m.setHeader(NONE, true);
        }
    }

    /** True when a {@code %} in {@code path} is not followed by two hex digits. */
    public static boolean badPercentEncoding(String path) {
        if (path == null) {
            return true;
        }
        for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
            if (i + 2 >= path.length() || Character.digit(path.charAt(i + 1), 16) < 0
                    || Character.digit(path.charAt(i + 2), 16) < 0) {
                return true;
            }
        }
        return false;
    }

    /** Percent-decoding to bytes, then strict UTF-8 ({@code +} stays a plus: this is a path, not a form). */
    static String decode(String raw) {
        if (badPercentEncoding(raw)) {
            throw new IllegalArgumentException("not valid percent-encoding");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                out.write(Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16));
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        byte[] b = out.toByteArray();
        try {
            return Utf8.decode(b, 0, b.length);
        } catch (Utf8.InvalidException e) {
            throw new IllegalArgumentException("not valid UTF-8 once percent-decoded");
        }
    }
}
