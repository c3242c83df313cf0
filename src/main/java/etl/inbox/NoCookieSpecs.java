package etl.inbox;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.cookie.CookieSpecFactory;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.config.RegistryBuilder;

/**
 * The inbox client's HTTP client without cookie rules. It keeps no cookies ({@code cookieManagementDisabled}), yet
 * HttpClient's builder makes its default cookie rules all the same, and with them reads and parses the public suffix
 * list (a 320 KB resource): 50-80 ms of a cold process's first chunk (JFR, bench/e2e.sh). An empty set of rules is what
 * a client that keeps no cookies needs.
 */
public final class NoCookieSpecs implements HttpClientConfigurer {

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.disableCookieManagement().setDefaultCookieSpecRegistry(RegistryBuilder.<CookieSpecFactory>create().build());
    }
}
