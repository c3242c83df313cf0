package etl.inbox;

import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.io.HttpClientConnectionManager;
import org.apache.hc.client5.http.socket.ConnectionSocketFactory;
import org.apache.hc.client5.http.socket.PlainConnectionSocketFactory;
import org.apache.hc.core5.http.config.RegistryBuilder;

/**
 * The inbox client's connections to a server at an {@code http:} URL (the default: the server in the same process):
 * camel-http's own connection manager, less its {@code https} half. camel-http makes that half whatever the URL, and
 * making it (the JDK's default TLS context: its trust store read and parsed, its ciphers set up) took 0.25 s of a cold
 * process's first chunk, in line before the first event of a dropped file could go (JFR, bench/e2e.sh). For an
 * {@code https:} URL camel-http's own manager is left in place.
 */
public final class PlainHttpConnections {

    /** camel-http's defaults ({@code maxTotalConnections}, {@code connectionsPerRoute}). */
    private static final int MAX_TOTAL = 200;
    private static final int PER_ROUTE = 20;

    private PlainHttpConnections() {
    }

    /** Whether the client's server URL needs no TLS. */
    public static boolean applies(String serverUrl) {
        return serverUrl != null && serverUrl.regionMatches(true, 0, "http:", 0, 5);
    }

    /** A pool of plain connections, as camel-http would make it (its timeouts are set per request, as before). */
    public static HttpClientConnectionManager create() {
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager(
                RegistryBuilder.<ConnectionSocketFactory>create()
                        .register("http", PlainConnectionSocketFactory.getSocketFactory()).build());
        pool.setMaxTotal(MAX_TOTAL);
        pool.setDefaultMaxPerRoute(PER_ROUTE);
        return pool;
    }
}
