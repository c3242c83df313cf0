package etl.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Serves files from the classpath (the API document, the Swagger UI page and its assets). As a route step it answers
 * with the file named by header {@code file} under its prefix.
 */
public final class StaticResources implements Processor {

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final String prefix;

    public StaticResources(String prefix) {
        this.prefix = prefix;
    }

    /** A processor answering with one classpath file. */
    public static Processor classpath(String path) {
        byte[] content = required(path);
        String type = contentType(path);
        return e -> answer(e, 200, type, content);
    }

    /** The bytes of a classpath file that must be there (the jar's own pages). */
    static byte[] required(String path) {
        byte[] content = read(path);
        if (content == null) {
            throw new IllegalStateException(path + " is not on the classpath");
        }
        return content;
    }

    @Override
    public void process(Exchange exchange) {
        serve(exchange, exchange.getMessage().getHeader("file", String.class));
    }

    /** Answers with the file {@code name} under the prefix, or 404 (names with a path are refused). */
    public void serve(Exchange e, String name) {
        byte[] content = name != null && SAFE_NAME.matcher(name).matches() ? read(prefix + name) : null;
        if (content == null) {
            answer(e, 404, "application/json", Json.error("no such file").getBytes());
        } else {
            answer(e, 200, contentType(name), content);
        }
    }

    private static void answer(Exchange e, int status, String type, byte[] content) {
        var m = e.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, type);
        m.setBody(content);
    }

    private static byte[] read(String path) {
        try (InputStream in = StaticResources.class.getClassLoader().getResourceAsStream(path)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException ex) {
            return null;
        }
    }

    static String contentType(String name) {
        if (name.endsWith(".json")) {
            return "application/json";
        } else if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        } else if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        } else if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        } else if (name.endsWith(".png")) {
            return "image/png";
        }
        return "application/octet-stream";
    }
}
