package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The OpenAPI document and the Swagger UI page. The page is tested in a real headless Chromium (Debian's, driven over
 * the DevTools protocol): a person's clicks on "Try it out" and "Execute" send an event, which is then applied. A
 * screenshot is kept in target/api-docs.png. .ci/run installs Chromium; elsewhere the browser part needs it.
 */
class ApiDocsTest extends SystemTestBase {

    @Test
    void openApiDocumentDescribesEveryEndpointStatusAndBody() throws Exception {
        Http.Reply r = Http.getRaw("/openapi.json");
        assertEquals(200, r.status());
        JsonNode doc = r.json();
        assertTrue(doc.get("openapi").asText().startsWith("3."));
        JsonNode post = doc.at("/paths/~1liveEvent/post");
        for (String status : new String[] {"200", "400", "401", "413", "503"}) {
            assertTrue(post.at("/responses/" + status).isObject(), "POST /liveEvent " + status);
        }
        for (String type : new String[] {"application/json", "application/x-ndjson", "application/jsonl"}) {
            assertTrue(post.at("/requestBody/content/" + type.replace("/", "~1")).isObject(), type);
        }
        assertEquals("Idempotency-Key", post.at("/parameters/0/name").asText());
        JsonNode get = doc.at("/paths/~1userEvents~1{userId}/get");
        assertTrue(get.at("/responses/200").isObject() && get.at("/responses/404").isObject());
        assertTrue(Http.getRaw("/docs").body().contains("swagger-ui-bundle.js"));

        // every HTTP route of the API, with its method, is in the document (the docs' own routes and the catch-all
        // 404 aside)
        java.util.Set<String> routes = new java.util.TreeSet<>();
        for (org.apache.camel.Route route : context.getRoutes()) {
            String uri = route.getEndpoint().getEndpointUri();
            if (!uri.startsWith("platform-http:")) {
                continue;
            }
            String path = java.net.URLDecoder.decode(uri.substring("platform-http:".length()).replaceFirst("^/+", "/")
                    .split("\\?")[0], java.nio.charset.StandardCharsets.UTF_8);
            java.util.regex.Matcher method = java.util.regex.Pattern.compile("httpMethodRestrict=([A-Z]+)").matcher(uri);
            if (path.startsWith("/docs") || path.equals("/openapi.json") || path.equals("/") || !method.find()) {
                continue;
            }
            routes.add(method.group(1).toLowerCase(java.util.Locale.ROOT) + " " + path);
        }
        java.util.Set<String> documented = new java.util.TreeSet<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
                .forEachRemaining(m -> documented.add(m + " " + p.getKey())));
        assertEquals(routes, documented, "the routes and the document name the same operations");
        assertEquals(404, Http.getRaw("/docs/swagger-ui/..%2F..%2Fapplication.properties").status());
    }

    /** The operations of the OpenAPI document, as Swagger UI shows them (one block each). */
    private static int operations() throws Exception {
        int[] n = {0};
        Http.getRaw("/openapi.json").json().get("paths").forEach(p -> n[0] += p.size());
        return n[0];
    }

    @Test
    void aPersonSendsAnEventFromTheDocsPage() throws Exception {
        assumeTrue(Cdp.Browser.available(), "Chromium is not installed (.ci/run installs it)");
        String u = user("browser");
        try (Cdp.Browser browser = Cdp.Browser.launch(18099, "--window-size=1280,1400");
                Cdp cdp = browser.connect()) {
            cdp.call("Page.navigate", "{\"url\":\"" + Http.BASE + "/docs\"}");
            Waits.until("Swagger UI rendered", 20_000,
                    () -> cdp.eval("document.querySelectorAll('.opblock').length").asInt() == operations());
            // what a person does: authorize, open POST /liveEvent, Try it out, write the event, Execute
            cdp.eval("ui.preauthorizeApiKey('token', '" + TOKEN + "'); (document.querySelector("
                    + "'.opblock-post .opblock-summary-control') || document.querySelector('.opblock-post "
                    + ".opblock-summary')).click(); true");
            Waits.until("the operation opened", 5000,
                    () -> cdp.eval("!!document.querySelector('.opblock-post .opblock-body')").asBoolean());
            // the page opens operations in "Try it out" mode; a person clicks the button when it is offered
            cdp.eval("(() => { const b = [...document.querySelectorAll('.opblock-post button')]"
                    + ".find(x => x.textContent.trim() === 'Try it out'); if (b) { b.click(); } return true; })()");
            Waits.until("the body editor", 5000,
                    () -> cdp.eval("!!document.querySelector('.opblock-post textarea.body-param__text')").asBoolean());
            String event = "{\"userId\": \"" + u + "\", \"name\": \"add_revenue\", \"value\": 12.5}";
            cdp.eval("(() => { const t = document.querySelector('.opblock-post textarea.body-param__text');"
                    + " const set = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set;"
                    + " set.call(t, " + Http.JSON.writeValueAsString(event) + ");"
                    + " t.dispatchEvent(new Event('input', {bubbles: true})); return true; })()");
            cdp.eval("document.querySelector('.opblock-post .execute').click(); true");
            try {
                Waits.until("the server's response shown", 10_000, () -> {
                    String shown = cdp.eval("document.querySelector('.opblock-post').innerText").asText();
                    return shown.contains("Server response") && shown.contains("\"accepted\": 1");
                });
            } catch (AssertionError e) {
                cdp.screenshot("api-docs-failed.png");
                throw new AssertionError(e.getMessage() + "; the operation shows: "
                        + cdp.eval("document.querySelector('.opblock-post').innerText").asText(), e);
            }
            Waits.revenue(u, "12.5", 5000);
            cdp.screenshot("api-docs.png");
        }
    }
}
